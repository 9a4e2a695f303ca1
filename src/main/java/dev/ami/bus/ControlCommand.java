package dev.ami.bus;

import io.vertx.core.json.JsonObject;

/**
 * An operator command: {@code pause}, {@code resume}, {@code step} (with {@code n}), {@code status},
 * {@code shutdown}, {@code checkpoint}, {@code redeploy} (with {@code args}: target, model, from).
 *
 * @param args the command's further arguments, already checked by the console's protocol; null when none
 */
public record ControlCommand(String cmd, int n, JsonObject args) {
  public ControlCommand(String cmd, int n) {
    this(cmd, n, null);
  }

  public static ControlCommand of(String cmd) {
    return new ControlCommand(cmd, 0);
  }
}
