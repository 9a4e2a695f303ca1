package dev.ami.memory;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one model will take once running, in MiB, by consumer.
 *
 * @param params parameter count (every group: what the trainer trains)
 * @param paramsMb the trainer's own parameters
 * @param optimizerMb Adam's two moments per parameter
 * @param gradientsMb one gradient per parameter
 * @param copiesMb the published snapshot and the freed one kept for the next publish's memory, the agent's two
 *     copies of the group it runs, and the frozen or preview copies other parts keep of it
 * @param activationsMb a training step's activations at the configured batch: one forward pass measured, twice
 *     over for the backward pass
 * @param bufferMb the data buffer the model trains from, once full (Java heap)
 */
public record ModelMemory(String model, long params, double paramsMb, double optimizerMb, double gradientsMb,
                          double copiesMb, double activationsMb, double bufferMb) {

  public double estimateMb() {
    return paramsMb + optimizerMb + gradientsMb + copiesMb + activationsMb + bufferMb;
  }

  /** The consumers by name, in MiB. */
  public Map<String, Double> parts() {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("params", paramsMb);
    out.put("optimizer", optimizerMb);
    out.put("gradients", gradientsMb);
    out.put("copies", copiesMb);
    out.put("activations", activationsMb);
    out.put("buffer", bufferMb);
    return out;
  }

  public JsonObject toJson() {
    JsonObject parts = new JsonObject();
    parts().forEach((k, v) -> parts.put(k + "_mb", round(v)));
    return new JsonObject().put("model", model).put("params", params).put("estimate_mb", round(estimateMb()))
        .put("parts", parts);
  }

  static double round(double mb) {
    return Math.round(mb * 10) / 10.0;
  }
}
