package dev.ami.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AmiConfig;
import dev.ami.kind.Specs;
import dev.ami.model.ActionHeads;
import dev.ami.model.AutoEncoders;
import dev.ami.model.DynamicsBlock;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.ModelSpec;
import dev.ami.model.PolicySpec;
import dev.ami.model.PolicyValue;
import dev.ami.model.VaeDecoder;
import dev.ami.model.VaeEncoder;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotCopy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One forward pass of each exported model, beside its weights: {@code <model>.probe.safetensors} holds a small
 * seeded input ({@code input.<name>}) and what the model gives for it ({@code output.<name>}), and models.json
 * describes both under the model's {@code "probe"}. A reader in another framework that loads the weights into its
 * own copy of the model must reproduce the outputs (bench/torch_export_check.py does, in PyTorch).
 *
 * <p>The models are built from the config as their trainers build them and take the snapshot's parameters the way
 * the agent does ({@link SnapshotCopy#copyGroup}). The pass runs as the agent's does: no gradient, dropout off.
 */
public final class ExportProbe {
  /** The inputs' seed: fixed, so that two exports of one checkpoint write the same probes. */
  static final long SEED = 21;
  /** Batch of the probe: more than one, so that a mix-up across the batch shows. */
  static final int BATCH = 2;
  /** Steps of the forward model's window: more than one, so that the recurrence and the previous action count. */
  static final int STEPS = 4;

  /** A tensor of a probe: its name in the file, and what it means. */
  public record Tensor(String name, String meaning) {
  }

  /**
   * One model ready to be probed: its blocks by snapshot group (initialised, parameters not yet copied in), the
   * config keys its sizes come from, its inputs and outputs in order, the seeded inputs, and its forward pass.
   */
  record Probe(Map<String, Block> groups, JsonObject config, List<Tensor> inputs, List<Tensor> outputs,
               Function<NDManager, NDList> input, BiFunction<ParameterStore, NDList, NDList> forward) {
  }

  private ExportProbe() {
  }

  /**
   * Writes {@code <model>.probe.safetensors} into {@code out} for every model of {@code snapshots} and adds its
   * {@code "probe"} to the models.json that {@link WeightExport#write} wrote there.
   *
   * @param config the config the snapshots' models were built with
   * @return the probe files written
   */
  public static List<Path> write(Map<String, ParamSnapshot> snapshots, AmiConfig config, Path out)
      throws IOException {
    Path indexFile = out.resolve("models.json");
    JsonObject index = new JsonObject(Files.readString(indexFile, StandardCharsets.UTF_8));
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, ParamSnapshot> e : snapshots.entrySet()) {
      String key = e.getKey();
      try (NDManager m = NDManager.newBaseManager()) {
        JniUtils.setGradMode(false); // per thread, once the engine is loaded: inference records no graph
        Probe p = of(key, config, m);
        if (p == null) {
          continue; // a model this class does not know gets no probe; the checker says so
        }
        for (Map.Entry<String, Block> g : p.groups().entrySet()) {
          if (!SnapshotCopy.copyGroup(e.getValue(), g.getKey(), g.getValue())) {
            throw new IllegalStateException("snapshot " + key + " was freed before its probe could copy it");
          }
        }
        NDList inputs = p.input().apply(m);
        NDList outputs = p.forward().apply(new ParameterStore(m, false), inputs);
        NDList file = new NDList();
        JsonArray in = named(file, inputs, p.inputs(), key);
        JsonArray result = named(file, outputs, p.outputs(), key);
        Path probeFile = out.resolve(key + ".probe.safetensors");
        try (OutputStream os = Files.newOutputStream(probeFile)) {
          file.encode(os, NDList.Encoding.SAFETENSORS);
        }
        written.add(probeFile);
        JsonObject probe = new JsonObject().put("file", probeFile.getFileName().toString()).put("seed", SEED)
            .put("batch", BATCH).put("mode", "inference: no gradient, dropout off (training=false)")
            .put("config", p.config()).put("inputs", in).put("outputs", result);
        if (key.equals(ModelKeys.FD)) {
          probe.put("steps", STEPS);
        }
        index.getJsonObject(key).put("probe", probe);
      }
    }
    Files.writeString(indexFile, index.encodePrettily(), StandardCharsets.UTF_8);
    return written;
  }

  /** Names {@code arrays} after {@code tensors}, adds them to {@code file}, and describes them for models.json. */
  private static JsonArray named(NDList file, NDList arrays, List<Tensor> tensors, String key) {
    if (arrays.size() != tensors.size()) {
      throw new IllegalStateException("the " + key + " probe has " + arrays.size() + " arrays for "
          + tensors.size() + " names");
    }
    JsonArray described = new JsonArray();
    for (int i = 0; i < arrays.size(); i++) {
      NDArray a = arrays.get(i);
      a.setName(tensors.get(i).name());
      file.add(a);
      JsonArray shape = new JsonArray();
      for (long d : a.getShape().getShape()) {
        shape.add(d);
      }
      described.add(new JsonObject().put("name", tensors.get(i).name()).put("meaning", tensors.get(i).meaning())
          .put("dtype", a.getDataType().asSafetensors()).put("shape", shape));
    }
    return described;
  }

  /** The probe of model {@code key} as {@code c} builds it, in {@code m}; null for a key it does not know. */
  static Probe of(String key, AmiConfig c, NDManager m) {
    return switch (key) {
      case ModelKeys.VAE -> vae(c, m);
      case ModelKeys.FD -> dynamics(c, m);
      case ModelKeys.POLICY -> policy(c, m);
      case ModelKeys.AE -> autoencoder(c, m);
      default -> null;
    };
  }

  /** The VAE: μ and σ of the frames, and the decoder on μ (the mean, not a sample, so the pass is deterministic). */
  private static Probe vae(AmiConfig c, NDManager m) {
    VaeSpec spec = Specs.vae(c);
    VaeEncoder encoder = new VaeEncoder(spec);
    encoder.initialize(m, DataType.FLOAT32, spec.frameShape(BATCH));
    VaeDecoder decoder = new VaeDecoder(spec);
    decoder.initialize(m, DataType.FLOAT32, new Shape(BATCH, spec.latent()));
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("encoder", encoder);
    groups.put("decoder", decoder);
    return new Probe(groups, keys(c, "model.input_size", "vae.channels", "vae.latent", "vae.decoder_channels"),
        List.of(new Tensor("input.frames", "frames (N,3,S,S), uniform in [0,1)")),
        List.of(new Tensor("output.mu", "the encoder's mean (N,latent): the latent the agent acts on"),
            new Tensor("output.sigma", "the encoder's sigma = softplus(.) + 1e-7 (N,latent)"),
            new Tensor("output.reconstruction", "the decoder on output.mu, no sampling (N,3,S,S)")),
        mm -> new NDList(uniform(mm, spec.frameShape(BATCH), new SplittableRandom(SEED), 0, 1)),
        (store, in) -> {
          NDList q = encoder.forward(store, in, false);
          NDArray x = decoder.forward(store, new NDList(q.get(0)), false).singletonOrThrow();
          return new NDList(q.get(0), q.get(1), x);
        });
  }

  /** The forward model over a window of {@link #STEPS}, from a non-zero state (SConv) or a previous action. */
  private static Probe dynamics(AmiConfig c, NDManager m) {
    DynamicsSpec spec = Specs.dynamics(c);
    DynamicsBlock model = DynamicsBlock.of(spec);
    Shape[] shapes = model.inputShapes(BATCH, STEPS);
    model.initialize(m, DataType.FLOAT32, shapes);
    boolean resnet = spec.kind().equals(DynamicsSpec.RESNET);
    List<Tensor> inputs = new ArrayList<>(List.of(
        new Tensor("input.z", "latents z_t (N,T,latent), uniform in [-1,1)"),
        new Tensor("input.actions", "actions a_t (N,T,13), one-hot per part, parts of 3,3,3,2,2 side by side")));
    List<Tensor> outputs = new ArrayList<>(List.of(
        new Tensor("output.mu", "the predicted mean of z_{t+1} (N,T,latent)")));
    if (resnet) {
      inputs.add(new Tensor("input.previous", "the action before the window's first step, one-hot (N,13)"));
      outputs.add(new Tensor("output.previous", "the state after the window: its last action, one-hot (N,13)"));
    } else {
      inputs.add(new Tensor("input.h_re", "SConv hidden state at the window's start, real part (N,depth,width), "
          + "uniform in [-1,1)"));
      inputs.add(new Tensor("input.h_im", "the same, imaginary part"));
      outputs.add(new Tensor("output.h_re", "the hidden state after the window's last step, real part "
          + "(N,depth,width)"));
      outputs.add(new Tensor("output.h_im", "the same, imaginary part"));
    }
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("model", model);
    return new Probe(groups, keys(c, "vae.latent", "fd.kind", "fd.depth", "fd.width", "fd.ffn", "fd.action_embed"),
        inputs, outputs,
        mm -> {
          SplittableRandom random = new SplittableRandom(SEED);
          NDList in = new NDList(uniform(mm, shapes[0], random, -1, 2), actions(mm, shapes[1], random));
          for (int i = 2; i < shapes.length; i++) {
            in.add(resnet ? actions(mm, shapes[i], random) : uniform(mm, shapes[i], random, -1, 2));
          }
          return in;
        },
        (store, in) -> model.forward(store, in, false));
  }

  /** The policy and value network: the 13 logits, the value, and each part's log-probabilities. */
  private static Probe policy(AmiConfig c, NDManager m) {
    PolicySpec spec = Specs.policy(c);
    PolicyValue model = new PolicyValue(spec);
    model.initialize(m, DataType.FLOAT32, spec.frameShape(BATCH));
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("model", model); // not reward_norm/entropy_coef: the trainer's statistics take no part in a forward
    return new Probe(groups, keys(c, "model.input_size", "policy.channels", "policy.hidden"),
        List.of(new Tensor("input.frames", "frames (N,3,S,S), uniform in [0,1)")),
        List.of(new Tensor("output.logits", "the five heads' logits side by side (N,13)"),
            new Tensor("output.value", "the value (N,1)"),
            new Tensor("output.log_probs", "log-softmax of each part's logits on its own (N,13)")),
        mm -> new NDList(uniform(mm, spec.frameShape(BATCH), new SplittableRandom(SEED), 0, 1)),
        (store, in) -> {
          NDList pv = model.forward(store, in, false);
          return new NDList(pv.get(0), pv.get(1), PolicyValue.logProbs(pv.get(0)));
        });
  }

  /** The step-1 autoencoder: the latent of the frames and the decoder on it. */
  private static Probe autoencoder(AmiConfig c, NDManager m) {
    ModelSpec spec = Specs.autoencoder(c);
    Block encoder = AutoEncoders.encoder(spec);
    encoder.initialize(m, DataType.FLOAT32, spec.frameShape(BATCH));
    Block decoder = AutoEncoders.decoder(spec);
    decoder.initialize(m, DataType.FLOAT32, new Shape(BATCH, spec.latent()));
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("encoder", encoder);
    groups.put("decoder", decoder);
    return new Probe(groups, keys(c, "model.input_size", "ae.channels", "ae.latent"),
        List.of(new Tensor("input.frames", "frames (N,3,S,S), uniform in [0,1)")),
        List.of(new Tensor("output.latent", "the encoder's latent (N,latent)"),
            new Tensor("output.reconstruction", "the decoder on output.latent, after its sigmoid (N,3,S,S)")),
        mm -> new NDList(uniform(mm, spec.frameShape(BATCH), new SplittableRandom(SEED), 0, 1)),
        (store, in) -> {
          NDArray z = encoder.forward(store, in, false).singletonOrThrow();
          NDArray x = decoder.forward(store, new NDList(z), false).singletonOrThrow();
          return new NDList(z, x);
        });
  }

  /** The config keys a model's sizes come from, with their values: a reader builds its own copy from them. */
  private static JsonObject keys(AmiConfig c, String... names) {
    JsonObject all = c.toJson();
    JsonObject out = new JsonObject();
    for (String n : names) {
      out.put(n, all.getValue(n));
    }
    return out;
  }

  /** Values uniform in [from, from + width), drawn in row-major order. */
  private static NDArray uniform(NDManager m, Shape shape, SplittableRandom random, double from, double width) {
    float[] v = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (from + width * random.nextDouble());
    }
    return m.create(v, shape);
  }

  /** Random actions as the forward models take them: each row one-hot per part, (…, 13). */
  private static NDArray actions(NDManager m, Shape shape, SplittableRandom random) {
    int rows = Math.toIntExact(shape.size() / ActionHeads.TOTAL);
    float[] v = new float[rows * ActionHeads.TOTAL];
    int[] parts = new int[ActionHeads.COUNT];
    for (int r = 0; r < rows; r++) {
      for (int h = 0; h < ActionHeads.COUNT; h++) {
        parts[h] = random.nextInt(ActionHeads.SIZES[h]);
      }
      ActionHeads.oneHot(parts, v, r * ActionHeads.TOTAL);
    }
    return m.create(v, shape);
  }
}
