package dev.ami.checkpoint;

import dev.ami.bus.AgentState;
import dev.ami.bus.TrainerState;
import dev.ami.data.Saved;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What one checkpoint holds, gathered in memory before anything is written.
 *
 * @param reason {@code periodic}, {@code operator} or {@code shutdown}
 * @param config the resolved configuration
 * @param specs each model's spec (its shapes in words), by model key
 * @param agent null when the agent did not answer (it is not deployed)
 * @param buffers the buffers by file name; empty when {@code checkpoint.buffers} is off
 */
record CheckpointContent(String reason, JsonObject config, Map<String, String> specs, TrainerState trainer,
                         AgentState agent, Map<String, Saved> buffers) {
}
