package dev.ami.console;

import dev.ami.bus.ControlReply;
import dev.ami.bus.RedeployRequest;
import dev.ami.console.ConsoleRequest.Topic;
import dev.ami.control.ControlVerticle;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The console's JSON protocol (docs/console-protocol.md): parses requests strictly and builds replies and
 * pushes. Shared by the WebSocket, the HTTP API and the terminal console.
 */
public final class Protocol {
  /** Every command a client may send, in the order the help lists them. */
  public static final List<String> COMMANDS = List.of("pause", "resume", "step", "status", "shutdown",
      "checkpoint", "redeploy", "subscribe");
  /** Largest accepted request in bytes; a larger one gets an error reply and a 1009 close. */
  public static final int MAX_REQUEST_BYTES = 64 * 1024;
  /**
   * The transport's bound on one WebSocket frame and message: above the request limit, so an oversized request
   * is read and refused with a reply rather than dropped by the decoder, and still a bound on what is buffered.
   */
  public static final int MAX_TRANSPORT_BYTES = 1024 * 1024;

  private Protocol() {
  }

  /** Parses one request; a {@link ProtocolException} says exactly what is wrong with it. */
  public static ConsoleRequest parse(String text) {
    Object decoded;
    try {
      decoded = Json.decodeValue(text);
    } catch (DecodeException e) {
      decoded = null;
    }
    if (!(decoded instanceof JsonObject json)) {
      throw new ProtocolException(null, "malformed JSON: expected an object like {\"id\":1,\"cmd\":\"status\"}");
    }
    Object id = json.getValue("id");
    if (id != null && !(id instanceof String) && !(id instanceof Number)) {
      throw new ProtocolException(null, "\"id\" must be a string or a number");
    }
    Object cmdValue = json.getValue("cmd");
    if (!(cmdValue instanceof String cmd)) {
      throw new ProtocolException(id, cmdValue == null ? "missing \"cmd\"; known: " + String.join(", ", COMMANDS)
          : "\"cmd\" must be a string");
    }
    if (!COMMANDS.contains(cmd)) {
      throw new ProtocolException(id, "unknown command '" + cmd + "'; known: " + String.join(", ", COMMANDS));
    }
    return switch (cmd) {
      case "step" -> new ConsoleRequest(id, cmd, stepCount(id, json.getValue("n")), Set.of());
      case "subscribe" -> new ConsoleRequest(id, cmd, 0, topics(id, json.getValue("topics")));
      case "redeploy" -> new ConsoleRequest(id, cmd, 0, Set.of(), redeployArgs(id, json));
      default -> new ConsoleRequest(id, cmd, 0, Set.of());
    };
  }

  /**
   * Checks {@code redeploy}'s arguments ({@link RedeployRequest#parse}) and returns them as the control command
   * carries them.
   */
  public static JsonObject redeployArgs(Object id, JsonObject json) {
    try {
      return RedeployRequest.parse(json, List.of("id", "cmd")).toJson();
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(id, e.getMessage());
    }
  }

  /** Validates {@code step}'s tick count: a JSON integer in [1, MAX_STEP]. */
  public static int stepCount(Object id, Object n) {
    String range = "[1, " + ControlVerticle.MAX_STEP + "]";
    if (n == null) {
      throw new ProtocolException(id, "step needs \"n\", an integer in " + range);
    }
    long value;
    if (n instanceof Integer || n instanceof Long) {
      value = ((Number) n).longValue();
    } else {
      throw new ProtocolException(id, "step n must be an integer in " + range + ", was " + describe(n));
    }
    if (value <= 0 || value > ControlVerticle.MAX_STEP) {
      throw new ProtocolException(id, "step n must be in " + range + ", was " + value);
    }
    return (int) value;
  }

  /** {@code step}'s tick count from a query parameter such as {@code ?n=3}. */
  public static int stepCountFromQuery(String n) {
    return stepCount(null, n != null && n.matches("-?\\d{1,18}") ? (Object) Long.parseLong(n) : n);
  }

  private static Set<Topic> topics(Object id, Object value) {
    if (value == null) {
      return EnumSet.allOf(Topic.class);
    }
    if (!(value instanceof JsonArray array)) {
      throw new ProtocolException(id, "\"topics\" must be an array of: telemetry, events, frames, history");
    }
    Set<Topic> out = EnumSet.noneOf(Topic.class);
    for (Object t : array) {
      if (!(t instanceof String s) || !isTopic(s)) {
        throw new ProtocolException(id, "unknown topic " + describe(t) + "; known: telemetry, events, frames, history");
      }
      out.add(Topic.valueOf(s.toUpperCase(Locale.ROOT)));
    }
    return out;
  }

  private static boolean isTopic(String s) {
    for (Topic t : Topic.values()) {
      if (t.wireName().equals(s)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }

  /** The reply to a control command: ok, state, error, and when ok the status fields of the detail. */
  public static JsonObject reply(Object id, ControlReply r) {
    JsonObject out = new JsonObject().put("id", id).put("ok", r.ok()).put("state", r.state().wireName())
        .put("error", r.error());
    if (r.ok() && r.detail() != null) {
      for (String key : List.of("ticks", "models", "uptime_s", "agent", "trainer", "path", "bytes", "ms",
          "trainer_pause_ms", "write_ms", "redeployed", "build_ms", "handover_ms", "missed_ticks",
          "deadline_gap_ms", "trainer_gap_ms", "warnings")) {
        if (r.detail().containsKey(key)) {
          out.put(key, r.detail().getValue(key));
        }
      }
    }
    return out;
  }

  /** A refusal: the request changed nothing. */
  public static JsonObject error(Object id, String state, String message) {
    return new JsonObject().put("id", id).put("ok", false).put("state", state).put("error", message);
  }

  /** The reply to {@code subscribe}. */
  public static JsonObject subscribed(Object id, String state, Set<Topic> topics) {
    List<String> names = new ArrayList<>();
    topics.forEach(t -> names.add(t.wireName()));
    return new JsonObject().put("id", id).put("ok", true).put("state", state).put("error", null)
        .put("topics", new JsonArray(names));
  }
}
