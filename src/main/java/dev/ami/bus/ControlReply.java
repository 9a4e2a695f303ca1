package dev.ami.bus;

import io.vertx.core.json.JsonObject;

/** The answer to a {@link ControlCommand}: whether it was done, the resulting state and details. */
public record ControlReply(boolean ok, RunState state, String error, JsonObject detail) {
  public static ControlReply ok(RunState state, JsonObject detail) {
    return new ControlReply(true, state, null, detail);
  }

  public static ControlReply error(RunState state, String error) {
    return new ControlReply(false, state, error, new JsonObject());
  }
}
