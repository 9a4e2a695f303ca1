package dev.ami.agent;

import dev.ami.bus.RunState;
import dev.ami.env.Action;
import dev.ami.env.SourceStats;
import dev.ami.control.LoopStatus;
import io.vertx.core.json.JsonObject;

/** What the agent reports about itself. */
public record AgentStatus(RunState state, long ticks, long versionInUse, long missedTicks, long noFrameTicks,
                          Action lastAction, SourceStats source) implements LoopStatus {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("state", state.wireName()).put("ticks", ticks).put("version_in_use", versionInUse)
        .put("missed_ticks", missedTicks).put("no_frame_ticks", noFrameTicks)
        .put("last_action", lastAction.index())
        .put("source", new JsonObject().put("up", source.up()).put("frames", source.frames())
            .put("dropped", source.dropped()).put("stale", source.stale()).put("reconnects", source.reconnects())
            .put("detail", source.detail()));
  }
}
