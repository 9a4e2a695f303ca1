package dev.ami.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.ami.config.AmiConfig;
import dev.ami.kind.AgentKind;
import dev.ami.kind.AgentKinds;
import dev.ami.model.SConv;
import dev.ami.params.ParamSnapshot;
import dev.ami.training.ModelTrainer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint's models as safetensors, for Python: one {@code <model>.safetensors} per model (DJL's NDList
 * safetensors encoding), and {@code models.json} with each model's spec, version and tensors in order. A tensor is
 * named {@code <group>.<DJL parameter name>}; SConv's complex parameters (θ and B, kept as (2, D) with the real
 * part in row 0) are written as two tensors named {@code ...theta.re} and {@code ...theta.im}.
 */
public final class WeightExport {
  /** One exported tensor: its name, the group and parameter it comes from, and which part of a complex one. */
  public record Tensor(String name, String group, String parameter, String part, List<Long> shape) {
  }

  private WeightExport() {
  }

  /**
   * Writes every model of {@code snapshots} into {@code out} (made if missing).
   *
   * @param config the config the snapshots' models were built with (it names the parameters)
   * @return model key → its tensors, in file order
   */
  public static Map<String, List<Tensor>> write(Map<String, ParamSnapshot> snapshots, AmiConfig config, Path out,
                                                LocalMap<String, ParamSnapshot> scratch) throws IOException {
    Files.createDirectories(out);
    Map<String, Map<String, List<Pair<String, Boolean>>>> names = names(config, scratch);
    Map<String, List<Tensor>> written = new LinkedHashMap<>();
    JsonObject index = new JsonObject();
    for (Map.Entry<String, ParamSnapshot> e : snapshots.entrySet()) {
      String key = e.getKey();
      ParamSnapshot s = e.getValue();
      List<Tensor> tensors = new ArrayList<>();
      try (NDManager m = NDManager.newBaseManager()) {
        NDList list = new NDList();
        for (String group : s.groupNames()) {
          List<NDArray> arrays = s.group(group);
          List<Pair<String, Boolean>> params = names.getOrDefault(key, Map.of()).get(group);
          for (int i = 0; i < arrays.size(); i++) {
            NDArray a = arrays.get(i).duplicate();
            a.attach(m);
            String param = params != null && i < params.size() ? params.get(i).getKey() : "param" + i;
            boolean complex = params != null && i < params.size() && params.get(i).getValue();
            if (complex) {
              for (int part = 0; part < 2; part++) {
                NDArray half = a.get(part);
                String suffix = part == 0 ? "re" : "im";
                add(list, tensors, half, group, param, suffix);
              }
            } else {
              add(list, tensors, a, group, param, null);
            }
          }
        }
        try (OutputStream file = Files.newOutputStream(out.resolve(key + ".safetensors"))) {
          list.encode(file, NDList.Encoding.SAFETENSORS);
        }
      }
      written.put(key, tensors);
      JsonArray t = new JsonArray();
      for (Tensor x : tensors) {
        t.add(new JsonObject().put("name", x.name()).put("group", x.group()).put("parameter", x.parameter())
            .put("part", x.part()).put("shape", new JsonArray(new ArrayList<>(x.shape()))));
      }
      index.put(key, new JsonObject().put("file", key + ".safetensors").put("spec", s.spec())
          .put("version", s.version()).put("trainer_step", s.trainerStep()).put("tensors", t));
    }
    Files.writeString(out.resolve("models.json"), index.encodePrettily(), StandardCharsets.UTF_8);
    return written;
  }

  private static void add(NDList list, List<Tensor> tensors, NDArray a, String group, String param, String part) {
    String name = group + "." + param + (part == null ? "" : "." + part);
    a.setName(name);
    list.add(a);
    List<Long> shape = new ArrayList<>();
    for (long d : a.getShape().getShape()) {
      shape.add(d);
    }
    tensors.add(new Tensor(name, group, param, part, shape));
  }

  /** Model key → group → (DJL parameter name, complex?) in snapshot order, from the models the config builds. */
  static Map<String, Map<String, List<Pair<String, Boolean>>>> names(AmiConfig c,
                                                                      LocalMap<String, ParamSnapshot> scratch) {
    Map<String, Map<String, List<Pair<String, Boolean>>>> out = new LinkedHashMap<>();
    AgentKind kind = AgentKinds.of(c);
    List<ModelTrainer> trainers = kind.trainers(c, kind.buffers(c), scratch);
    try {
      for (ModelTrainer t : trainers) {
        Map<String, List<Pair<String, Boolean>>> groups = new LinkedHashMap<>();
        for (Map.Entry<String, Block> g : t.groups().entrySet()) {
          Set<Parameter> complex = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
          collectComplex(g.getValue(), complex);
          List<Pair<String, Boolean>> params = new ArrayList<>();
          for (Pair<String, Parameter> p : g.getValue().getParameters()) {
            params.add(new Pair<>(p.getKey(), complex.contains(p.getValue())));
          }
          groups.put(g.getKey(), params);
        }
        out.put(t.key(), groups);
      }
    } finally {
      trainers.forEach(ModelTrainer::close);
    }
    return out;
  }

  private static void collectComplex(Block b, Set<Parameter> into) {
    if (b instanceof SConv) {
      for (Pair<String, Parameter> p : b.getDirectParameters()) {
        into.add(p.getValue());
      }
    }
    for (Pair<String, Block> child : b.getChildren()) {
      collectComplex(child.getValue(), into);
    }
  }
}
