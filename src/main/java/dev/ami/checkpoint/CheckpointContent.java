package dev.ami.checkpoint;

import dev.ami.bus.AgentState;
import dev.ami.data.Saved;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.TrainerState;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * What one checkpoint (or one node's part of it) holds, gathered in memory before anything is written.
 *
 * @param reason {@code periodic}, {@code operator}, {@code shutdown} or {@code trainer-stop}
 * @param config the resolved configuration
 * @param specs each model's spec (its shapes in words), by model key
 * @param trainer every model's training state; null in an agent part
 * @param agent null when the agent did not answer (it is not deployed)
 * @param buffers the buffers by file name; empty when {@code checkpoint.buffers} is off, and in an agent part
 * @param part what this directory holds of the checkpoint
 * @param id the checkpoint's id, the same in both parts of a split cluster's checkpoint
 * @param created the stamp of its name and manifest; null: the writer's clock now
 * @param params the agent part's parameters, acquired by its holder; empty for the other parts
 * @param parts where each node's part is ({@code agent} and {@code trainer}); null outside a split cluster
 */
record CheckpointContent(String reason, JsonObject config, Map<String, String> specs, TrainerState trainer,
                         AgentState agent, Map<String, Saved> buffers, Part part, String id, Instant created,
                         Map<String, ParamSnapshot> params, JsonObject parts) {
  /** A whole checkpoint, as one JVM with the agent and the trainer writes it. */
  CheckpointContent(String reason, JsonObject config, Map<String, String> specs, TrainerState trainer,
                    AgentState agent, Map<String, Saved> buffers) {
    this(reason, config, specs, trainer, agent, buffers, Part.WHOLE, UUID.randomUUID().toString(), null, Map.of(),
        null);
  }
}
