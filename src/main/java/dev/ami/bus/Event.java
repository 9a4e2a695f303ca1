package dev.ami.bus;

/** A line for the operator's event log. {@code level} is info, warn or error. */
public record Event(String level, String kind, String message, long wallMillis) {
  public static Event info(String kind, String message) {
    return new Event("info", kind, message, System.currentTimeMillis());
  }

  public static Event warn(String kind, String message) {
    return new Event("warn", kind, message, System.currentTimeMillis());
  }

  public static Event error(String kind, String message) {
    return new Event("error", kind, message, System.currentTimeMillis());
  }
}
