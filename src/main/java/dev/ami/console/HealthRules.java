package dev.ami.console;

import io.vertx.core.json.JsonObject;

/**
 * What /health reports: the agent is healthy when it ticked within three periods (or is paused, which is
 * reported) and its frame source is up (a blind agent ticks but holds still: the source's error is the reason),
 * the trainer when it is running, paused, or restarting after a crash within its budget.
 */
public final class HealthRules {
  /** One check's outcome and the data shown with it. */
  public record Verdict(boolean ok, JsonObject data) {
  }

  private final long periodNanos;

  public HealthRules(int agentHz) {
    this.periodNanos = Math.round(1e9 / agentHz);
  }

  /**
   * @param status the system status detail, or null when the control point did not answer
   * @param lastTickNanos when the console last saw a tick, or {@link Long#MIN_VALUE}
   */
  public Verdict agent(JsonObject status, long lastTickNanos, long now) {
    if (status == null) {
      return new Verdict(false, new JsonObject().put("reason", "the control point did not answer"));
    }
    String state = status.getString("state", "absent");
    JsonObject data = new JsonObject().put("state", state).put("ticks", status.getLong("ticks", 0L))
        .put("paused", "paused".equals(state));
    if ("paused".equals(state)) {
      return new Verdict(true, data);
    }
    if (!"running".equals(state) && !"stepping".equals(state)) {
      return new Verdict(false, data.put("reason", "agent is " + state));
    }
    JsonObject source = status.getJsonObject("agent", new JsonObject()).getJsonObject("source");
    if (source != null && !source.getBoolean("up", true)) {
      // blind ticks still tick: the real cause is the source, with its own error
      return new Verdict(false, data.put("reason", "the frame source is down, so the agent holds still: "
          + source.getString("detail", "")));
    }
    if (lastTickNanos == Long.MIN_VALUE) {
      return new Verdict(false, data.put("reason", "agent has not ticked yet"));
    }
    double sinceMs = (now - lastTickNanos) / 1e6;
    data.put("last_tick_ms_ago", Math.round(sinceMs));
    if (now - lastTickNanos > 3 * periodNanos) {
      return new Verdict(false, data.put("reason", "no tick for " + Math.round(sinceMs) + " ms (limit "
          + 3 * periodNanos / 1_000_000 + " ms)"));
    }
    return new Verdict(true, data);
  }

  public Verdict trainer(JsonObject status) {
    if (status == null) {
      return new Verdict(false, new JsonObject().put("reason", "the control point did not answer"));
    }
    JsonObject trainer = status.getJsonObject("trainer", new JsonObject());
    String state = trainer.getString("state", "absent");
    JsonObject data = new JsonObject().put("state", state).put("steps", trainer.getLong("steps", 0L))
        .put("restarts", trainer.getInteger("restarts", 0));
    // restarting within its budget is healthy: the agent acts on its last parameters meanwhile
    boolean alive = "running".equals(state) || "paused".equals(state) || "restarting".equals(state);
    if (alive) {
      return new Verdict(true, data);
    }
    if ("absent".equals(state)) {
      return new Verdict(false, data.put("reason", "trainer is missing: no trainer answers (in a cluster: no trainer "
          + "node is up); the agent acts on its last parameters"));
    }
    String error = trainer.getString("last_error");
    return new Verdict(false, data.put("reason", "trainer is " + state + (error == null ? "" : ": " + error)));
  }
}
