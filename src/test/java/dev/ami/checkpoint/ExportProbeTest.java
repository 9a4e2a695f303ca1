package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ami.app.Main;
import dev.ami.bus.ControlReply;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AmiConfig;
import dev.ami.params.SnapshotCopy;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code export}'s probes: one forward pass of each model on a seeded input, beside its weights. Replayed in DJL from
 * the exported files alone, and in PyTorch by bench/torch_export_check.py, for every model kind the config can
 * give: the curiosity agent with SConv and with ResNetFD, and the step-1 autoencoder.
 */
@DisplayName("export's probes")
@RuntimeTest
class ExportProbeTest {
  private static final String PYTHON = "/usr/bin/python3";
  /** Export folder and config, by case. */
  private static final Map<String, Export> EXPORTS = new LinkedHashMap<>();

  private record Export(Path dir, AmiConfig config) {
  }

  @BeforeAll
  static void export() throws Exception {
    EXPORTS.put("curiosity, fd.kind=sconv", export(Map.of("vae.min_new", 0)));
    EXPORTS.put("curiosity, fd.kind=resnet", export(Map.of("vae.min_new", 0, "fd.kind", "resnet")));
    EXPORTS.put("autoencoder", export(Map.of("model.preset", "autoencoder", "model.input_size", 32,
        "ae.channels", 8, "ae.latent", 16)));
  }

  /** A checkpoint of a runtime started with {@code overrides}, exported the way WeightExportTest does it. */
  private static Export export(Map<String, Object> overrides) throws Exception {
    Map<String, Object> keys = new LinkedHashMap<>(overrides);
    keys.put("system.runs_dir", TestRuntime.tempDir("ami-probe").toString());
    try (TestRuntime rt = TestRuntime.start(keys)) {
      ControlReply c = rt.control("checkpoint", 0);
      assertThat(c.ok()).as(c.error()).isTrue();
    }
    Path out = TestRuntime.tempDir("ami-probed");
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("model.preset", "curiosity-small");
    args.put("env", "noise");
    args.putAll(keys);
    List<String> command = new ArrayList<>(List.of("export", "--resume", "latest", "--out", out.toString()));
    args.forEach((k, v) -> command.add(k + "=" + v));
    assertThat(Main.execute(command.toArray(String[]::new))).isZero();
    return new Export(out, TestRuntime.smallConfig(keys));
  }

  @Test
  @DisplayName("each probe holds its named inputs and outputs, and the outputs equal a forward pass of the exported "
      + "weights loaded back with DJL")
  void replayInDjl() throws Exception {
    for (Map.Entry<String, Export> e : EXPORTS.entrySet()) {
      Export export = e.getValue();
      JsonObject index = new JsonObject(Files.readString(export.dir().resolve("models.json")));
      assertThat(index.fieldNames()).as(e.getKey()).isNotEmpty();
      for (String key : index.fieldNames()) {
        String what = e.getKey() + ": " + key;
        JsonObject probe = index.getJsonObject(key).getJsonObject("probe");
        assertThat(probe).as("%s has a probe in models.json", what).isNotNull();
        assertThat(probe.getString("file")).isEqualTo(key + ".probe.safetensors");
        Path file = export.dir().resolve(probe.getString("file"));
        assertThat(file).exists();
        List<String> inputs = names(probe.getJsonArray("inputs"));
        List<String> outputs = names(probe.getJsonArray("outputs"));
        assertThat(inputs).isNotEmpty().allMatch(n -> n.startsWith("input."));
        assertThat(outputs).isNotEmpty().allMatch(n -> n.startsWith("output."));
        try (NDManager m = NDManager.newBaseManager()) {
          NDList recorded = NDList.decode(m, Files.readAllBytes(file));
          List<String> all = new ArrayList<>(inputs);
          all.addAll(outputs);
          assertThat(recorded.stream().map(NDArray::getName).toList()).as(what)
              .containsExactlyInAnyOrderElementsOf(all);

          ExportProbe.Probe p = ExportProbe.of(key, export.config(), m);
          assertThat(p).as(what).isNotNull();
          NDList seeded = p.input().apply(m);
          for (int i = 0; i < inputs.size(); i++) {
            assertThat(maxDiff(seeded.get(i), recorded.get(inputs.get(i))))
                .as("%s %s is drawn again from the seed", what, inputs.get(i)).isZero();
          }

          NDList weights = NDList.decode(m, Files.readAllBytes(export.dir().resolve(key + ".safetensors")));
          Set<String> used = new HashSet<>();
          for (Map.Entry<String, Block> g : p.groups().entrySet()) {
            for (Pair<String, Parameter> param : g.getValue().getParameters()) {
              String name = g.getKey() + "." + param.getKey();
              NDArray source;
              if (weights.contains(name)) {
                source = weights.get(name);
                used.add(name);
              } else { // SConv's complex parameters: (2, D), written as their real and imaginary rows
                assertThat(weights.contains(name + ".re") && weights.contains(name + ".im"))
                    .as("%s: %s is in %s.safetensors", what, name, key).isTrue();
                source = NDArrays.stack(new NDList(weights.get(name + ".re"), weights.get(name + ".im")));
                used.add(name + ".re");
                used.add(name + ".im");
              }
              SnapshotCopy.copyInto(source, param.getValue().getArray());
            }
          }
          Set<String> unused = new HashSet<>();
          weights.forEach(w -> unused.add(w.getName()));
          unused.removeAll(used);
          if (key.equals("fd")) { // the encoder it was trained against travels with it, for the agent's reward
            assertThat(unused).as("%s: the forward model's export holds its encoder", what)
                .anyMatch(n -> n.startsWith(ModelKeys.FD_ENCODER + "."));
            unused.removeIf(n -> n.startsWith(ModelKeys.FD_ENCODER + "."));
          }
          assertThat(unused).as("%s: exported tensors the forward pass does not use", what)
              .isEqualTo(key.equals("policy") ? Set.of("reward_norm.values", "entropy_coef.values") : Set.of());

          NDList in = new NDList();
          inputs.forEach(n -> in.add(recorded.get(n)));
          NDList replayed = p.forward().apply(new ParameterStore(m, false), in);
          assertThat(replayed.size()).as(what).isEqualTo(outputs.size());
          for (int i = 0; i < outputs.size(); i++) {
            NDArray expected = recorded.get(outputs.get(i));
            assertThat(replayed.get(i).getShape()).as("%s %s", what, outputs.get(i)).isEqualTo(expected.getShape());
            // the same code on the same numbers: equal up to the last bit, but for a reordered reduction
            assertThat(maxDiff(replayed.get(i), expected)).as("%s %s", what, outputs.get(i))
                .isLessThanOrEqualTo(1e-6f);
          }
        }
      }
    }
  }

  @Test
  @DisplayName("bench/torch_export_check.py loads every export into PyTorch and agrees with each probe within 1e-4")
  void pytorchAgrees() throws Exception {
    if (!"true".equals(System.getenv("CI"))) { // CI installs python3-torch: there it must run, never skip
      assumeTrue(hasTorch(), PYTHON + " cannot import torch (Debian: apt-get install python3-torch); the PyTorch "
          + "check of the export is skipped");
    }
    Path script = Path.of(System.getProperty("ami.project.dir", "."), "bench", "torch_export_check.py");
    for (Map.Entry<String, Export> e : EXPORTS.entrySet()) {
      Process p = new ProcessBuilder(PYTHON, script.toString(), e.getValue().dir().toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(TestRuntime.TIMEOUT_S, TimeUnit.SECONDS)).as("%s: the check ends", e.getKey()).isTrue();
      assertThat(p.exitValue()).as("%s: the check passes:%n%s", e.getKey(), out).isZero();
      List<JsonObject> lines = out.lines().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
      assertThat(lines).as(out).isNotEmpty();
      assertThat(lines.get(lines.size() - 1).getBoolean("ok")).as(out).isTrue();
      JsonObject index = new JsonObject(Files.readString(e.getValue().dir().resolve("models.json")));
      List<JsonObject> models = lines.subList(0, lines.size() - 1);
      assertThat(models.stream().map(l -> l.getString("model")).toList()).as(out)
          .containsExactlyInAnyOrderElementsOf(index.fieldNames());
      assertThat(models).as(out).allMatch(l -> l.getBoolean("ok"));
    }
  }

  private static List<String> names(JsonArray tensors) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < tensors.size(); i++) {
      out.add(tensors.getJsonObject(i).getString("name"));
    }
    return out;
  }

  private static float maxDiff(NDArray a, NDArray b) {
    return a.sub(b).abs().max().getFloat();
  }

  private static boolean hasTorch() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(TestRuntime.TIMEOUT_S, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
