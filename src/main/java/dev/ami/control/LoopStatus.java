package dev.ami.control;

import dev.ami.bus.RunState;
import io.vertx.core.json.JsonObject;

/** What a loop (agent, trainer) reports about itself in control replies. */
public interface LoopStatus {
  RunState state();

  JsonObject toJson();
}
