package dev.ami.console;

import java.util.Set;

/**
 * One parsed console request.
 *
 * @param id the client's correlation id (string, number or null), echoed in the reply
 * @param n the tick count of {@code step}; 0 for other commands
 * @param topics what {@code subscribe} asks for; empty for other commands
 * @param args {@code redeploy}'s target, model and checkpoint; null for other commands
 */
public record ConsoleRequest(Object id, String cmd, int n, Set<Topic> topics, io.vertx.core.json.JsonObject args) {
  public ConsoleRequest(Object id, String cmd, int n, Set<Topic> topics) {
    this(id, cmd, n, topics, null);
  }

  /** What a client can subscribe to. */
  public enum Topic {
    TELEMETRY, EVENTS, FRAMES, HISTORY;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** True for the commands the control point carries out (everything but {@code subscribe}). */
  public boolean isControl() {
    return !"subscribe".equals(cmd);
  }
}
