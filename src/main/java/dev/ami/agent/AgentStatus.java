package dev.ami.agent;

import dev.ami.bus.RunState;
import dev.ami.control.LoopStatus;
import dev.ami.env.Action;
import dev.ami.env.SourceStats;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** What the agent reports about itself; {@code versionsInUse} is by model key. */
public record AgentStatus(RunState state, long ticks, Map<String, Long> versionsInUse, long missedTicks,
                          long noFrameTicks, long staleTicks, Action lastAction, SourceStats source)
    implements LoopStatus {
  @Override
  public JsonObject toJson() {
    JsonObject versions = new JsonObject();
    versionsInUse.forEach(versions::put);
    return new JsonObject().put("state", state.wireName()).put("ticks", ticks).put("versions_in_use", versions)
        .put("missed_ticks", missedTicks).put("no_frame_ticks", noFrameTicks).put("stale_ticks", staleTicks)
        .put("last_action", lastAction.index())
        .put("source", new JsonObject().put("up", source.up()).put("frames", source.frames())
            .put("dropped", source.dropped()).put("stale", source.stale()).put("reconnects", source.reconnects())
            .put("detail", source.detail()));
  }
}
