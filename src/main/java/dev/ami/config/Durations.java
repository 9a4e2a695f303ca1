package dev.ami.config;

import java.util.Locale;

/** Durations as users write them in config: {@code 90s}, {@code 30m}, {@code 12h}, {@code 3d}; a bare number is seconds. */
public final class Durations {
  private Durations() {
  }

  /**
   * Whole seconds of {@code text}.
   *
   * @throws NumberFormatException when it is not a non-negative whole number with an optional s, m, h or d
   */
  public static long parseSeconds(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.isEmpty()) {
      throw new NumberFormatException("empty duration");
    }
    long unit = switch (t.charAt(t.length() - 1)) {
      case 's' -> 1;
      case 'm' -> 60;
      case 'h' -> 3600;
      case 'd' -> 86_400;
      default -> 0;
    };
    String digits = unit == 0 ? t : t.substring(0, t.length() - 1).trim();
    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
      throw new NumberFormatException("not a duration: " + text);
    }
    return Math.multiplyExact(Long.parseLong(digits), unit == 0 ? 1 : unit);
  }

  /** The shortest exact way to write {@code seconds}: {@code 3d}, {@code 12h}, {@code 30m}, {@code 90s}. */
  public static String format(long seconds) {
    if (seconds > 0 && seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds > 0 && seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds > 0 && seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
