package dev.ami.checkpoint;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AmiConfig;
import dev.ami.data.Buffers;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.ModelSpec;
import dev.ami.model.PolicySpec;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamSnapshot;
import dev.ami.training.ModelTrainer;
import dev.ami.training.TrainerVerticle;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the configured models look like: each model's parameter shapes by group, and its spec in words. */
public final class ModelShapes {
  private ModelShapes() {
  }

  /** Each model's spec, by model key, as a checkpoint's manifest names it. */
  public static Map<String, String> specs(AmiConfig c) {
    Map<String, String> out = new LinkedHashMap<>();
    if (c.getString("model.kind").equals("autoencoder")) {
      out.put(ModelKeys.AE, ModelSpec.from(c).toString());
    } else {
      out.put(ModelKeys.VAE, VaeSpec.from(c).toString());
      out.put(ModelKeys.FD, DynamicsSpec.from(c).toString());
      out.put(ModelKeys.POLICY, PolicySpec.from(c).toString());
    }
    return out;
  }

  /**
   * The parameter shapes of every model the config trains: model key → group name (sorted) → shapes. Builds the
   * trainers once to read them off (a second or so), on the calling thread.
   */
  public static Map<String, Map<String, List<List<Long>>>> of(AmiConfig c, LocalMap<String, ParamSnapshot> scratch) {
    Map<String, Map<String, List<List<Long>>>> out = new LinkedHashMap<>();
    List<ModelTrainer> trainers = TrainerVerticle.defaultTrainers(c, Buffers.of(c), scratch);
    try {
      for (ModelTrainer t : trainers) {
        Map<String, List<List<Long>>> groups = new TreeMap<>();
        for (Map.Entry<String, Block> g : t.groups().entrySet()) {
          List<List<Long>> shapes = new ArrayList<>();
          for (Pair<String, Parameter> p : g.getValue().getParameters()) {
            List<Long> dims = new ArrayList<>();
            for (long d : p.getValue().getArray().getShape().getShape()) {
              dims.add(d);
            }
            shapes.add(dims);
          }
          groups.put(g.getKey(), shapes);
        }
        out.put(t.key(), groups);
      }
    } finally {
      trainers.forEach(ModelTrainer::close);
    }
    return out;
  }
}
