package dev.ami.bus;

/**
 * An operator command: {@code pause}, {@code resume}, {@code step} (with {@code n}), {@code status},
 * {@code shutdown}, {@code checkpoint}, {@code redeploy}.
 */
public record ControlCommand(String cmd, int n) {
  public static ControlCommand of(String cmd) {
    return new ControlCommand(cmd, 0);
  }
}
