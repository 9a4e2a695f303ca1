package dev.ami.config;

import java.util.List;
import java.util.Locale;

/**
 * One configuration key: its type, default, allowed values and a line of documentation.
 *
 * <p>Every value that reaches a verticle passed {@link #parse} or {@link #check}, so verticles never
 * re-validate.
 */
public record Setting(String key, Kind kind, Object defaultValue, double min, double max, List<String> choices,
                      String doc) {

  /** The value types a key can hold. */
  public enum Kind { INT, LONG, DOUBLE, BOOL, STRING, CHOICE, DURATION }

  public static Setting intRange(String key, int def, int min, int max, String doc) {
    return new Setting(key, Kind.INT, def, min, max, List.of(), doc);
  }

  public static Setting longValue(String key, long def, String doc) {
    return new Setting(key, Kind.LONG, def, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), doc);
  }

  public static Setting doubleRange(String key, double def, double min, double max, String doc) {
    return new Setting(key, Kind.DOUBLE, def, min, max, List.of(), doc);
  }

  public static Setting bool(String key, boolean def, String doc) {
    return new Setting(key, Kind.BOOL, def, 0, 0, List.of(), doc);
  }

  public static Setting string(String key, String def, String doc) {
    return new Setting(key, Kind.STRING, def, 0, 0, List.of(), doc);
  }

  /** A duration held in whole seconds: {@code 90s}, {@code 30m}, {@code 12h}, {@code 3d}, or bare seconds. */
  public static Setting duration(String key, long defS, long maxS, String doc) {
    return new Setting(key, Kind.DURATION, defS, 0, maxS, List.of(), doc);
  }

  public static Setting choice(String key, String def, List<String> choices, String doc) {
    return new Setting(key, Kind.CHOICE, def, 0, 0, List.copyOf(choices), doc);
  }

  /** What a user may write here, for error messages. */
  public String allowed() {
    return switch (kind) {
      case INT, LONG -> min == Long.MIN_VALUE ? "an integer" : "an integer in [" + (long) min + ", " + (long) max + "]";
      case DOUBLE -> "a number in [" + min + ", " + max + "]";
      case BOOL -> "true or false";
      case STRING -> "a string";
      case DURATION -> "a duration such as 90s, 30m, 12h or 3d (a bare number is seconds), at most "
          + Durations.format((long) max);
      case CHOICE -> "one of " + String.join(", ", choices);
    };
  }

  /** Parses a command-line override such as {@code agent.hz=20}. */
  public Object parse(String text) {
    String t = text.trim();
    try {
      return switch (kind) {
        case INT -> check(Integer.parseInt(t));
        case LONG -> check(Long.parseLong(t));
        case DOUBLE -> check(Double.parseDouble(t));
        case BOOL -> check(parseBool(t));
        case STRING, CHOICE -> check(t);
        case DURATION -> check(Durations.parseSeconds(t));
      };
    } catch (NumberFormatException e) {
      throw invalid(text);
    }
  }

  /** Checks a value that came from YAML and normalises its Java type. */
  public Object check(Object value) {
    if (value == null) {
      throw invalid("null");
    }
    switch (kind) {
      case INT, LONG -> {
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
          throw invalid(value);
        }
        long v = n.longValue();
        if (v < min || v > max) {
          throw invalid(value);
        }
        return kind == Kind.INT ? (Object) (int) v : (Object) v;
      }
      case DURATION -> {
        long v;
        if (value instanceof String text) {
          try {
            v = Durations.parseSeconds(text);
          } catch (NumberFormatException e) {
            throw invalid(value);
          }
        } else if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
          v = n.longValue();
        } else {
          throw invalid(value);
        }
        if (v < min || v > max) {
          throw invalid(value);
        }
        return v;
      }
      case DOUBLE -> {
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())
            || n.doubleValue() < min || n.doubleValue() > max) {
          throw invalid(value);
        }
        return n.doubleValue();
      }
      case BOOL -> {
        if (!(value instanceof Boolean)) {
          throw invalid(value);
        }
        return value;
      }
      case STRING -> {
        if (!(value instanceof String)) {
          throw invalid(value);
        }
        return value;
      }
      case CHOICE -> {
        if (!(value instanceof String s) || !choices.contains(s)) {
          throw invalid(value);
        }
        return value;
      }
      default -> throw new IllegalStateException(kind.toString());
    }
  }

  private static Object parseBool(String t) {
    return switch (t.toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> t;
    };
  }

  private ConfigException invalid(Object value) {
    return new ConfigException("invalid value '" + value + "' for " + key + ": expected " + allowed());
  }
}
