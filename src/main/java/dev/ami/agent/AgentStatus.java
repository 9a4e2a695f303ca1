package dev.ami.agent;

import dev.ami.bus.RunState;
import dev.ami.control.LoopStatus;
import dev.ami.env.Action;
import dev.ami.env.SourceStats;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What the agent reports about itself; {@code versionsInUse} is by model key. {@code restarts} and
 * {@code lastError} are its supervisor's: loops started again after a crash, and the last crash's cause.
 */
public record AgentStatus(RunState state, long ticks, Map<String, Long> versionsInUse, long missedTicks,
                          long noFrameTicks, long staleTicks, Action lastAction, SourceStats source, int restarts,
                          String lastError)
    implements LoopStatus {
  public AgentStatus(RunState state, long ticks, Map<String, Long> versionsInUse, long missedTicks,
                     long noFrameTicks, long staleTicks, Action lastAction, SourceStats source) {
    this(state, ticks, versionsInUse, missedTicks, noFrameTicks, staleTicks, lastAction, source, 0, null);
  }

  /** The loop's own status, seen through its supervisor. */
  public AgentStatus supervised(RunState newState, int restartCount, String error) {
    return new AgentStatus(newState, ticks, versionsInUse, missedTicks, noFrameTicks, staleTicks, lastAction, source,
        restartCount, error);
  }

  @Override
  public JsonObject toJson() {
    JsonObject versions = new JsonObject();
    versionsInUse.forEach(versions::put);
    return new JsonObject().put("state", state.wireName()).put("ticks", ticks).put("versions_in_use", versions)
        .put("missed_ticks", missedTicks).put("no_frame_ticks", noFrameTicks).put("stale_ticks", staleTicks)
        .put("restarts", restarts).put("last_error", lastError)
        .put("last_action", lastAction.index())
        .put("source", new JsonObject().put("up", source.up()).put("frames", source.frames())
            .put("dropped", source.dropped()).put("stale", source.stale()).put("reconnects", source.reconnects())
            .put("detail", source.detail()));
  }
}
