package dev.ami.config;

import java.util.Locale;

/**
 * Keys whose values are secrets (their names contain {@code token}, {@code password} or {@code secret}): such a
 * value is never written into a reply, a log line, an event or a saved config; {@code ***} stands in for it.
 */
public final class Secrets {
  /** What stands in for a secret value. */
  public static final String MASK = "***";

  private Secrets() {
  }

  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("token") || k.contains("password") || k.contains("secret");
  }

  /** The value as it may be shown: {@link #MASK} for a secret that is set, the value itself otherwise. */
  public static Object shown(String key, Object value) {
    return isSecret(key) && value != null && !"".equals(value) ? MASK : value;
  }
}
