package dev.ami.kind;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ami.agent.AutoencoderBrain;
import dev.ami.agent.Brain;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AeOptions;
import dev.ami.config.AgentOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.BufferMemory;
import dev.ami.config.ConfigException;
import dev.ami.config.KindRules;
import dev.ami.config.RunOptions;
import dev.ami.config.TrainingOptions;
import dev.ami.data.Buffers;
import dev.ami.memory.ModelMemory;
import dev.ami.memory.ModelProbe;
import dev.ami.model.AutoEncoders;
import dev.ami.model.ModelSpec;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamSnapshot;
import dev.ami.training.AeTrainer;
import dev.ami.training.ModelTrainer;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Step 1: a random policy while a conv autoencoder ({@code ae.*}) learns to reconstruct the frames it sees. */
public final class AutoencoderKind implements AgentKind {
  @Override
  public String name() {
    return "autoencoder";
  }

  @Override
  public void verify(AmiConfig c) {
    int side = RunOptions.from(c).inputSize();
    if (side % 8 != 0) {
      throw new ConfigException("invalid value " + side + " for model.input_size: the autoencoder needs a "
          + "multiple of 8 (three stride-2 stages)");
    }
    KindRules.notAbove(c, "ae.min_buffer", "ae.buffer");
    KindRules.notAbove(c, "ae.batch", "ae.buffer");
  }

  @Override
  public Map<String, Long> bufferBytes(AmiConfig c) {
    return Map.of("ae.buffer", AeOptions.from(c).train().buffer() * BufferMemory.frameBytes(c));
  }

  @Override
  public Map<String, String> specs(AmiConfig c) {
    return Map.of(ModelKeys.AE, Specs.autoencoder(c).toString());
  }

  @Override
  public Brain brain(AmiConfig c, LocalMap<String, ParamSnapshot> params) {
    return new AutoencoderBrain(Specs.autoencoder(c), AgentOptions.from(c).seed(), params);
  }

  @Override
  public Buffers buffers(AmiConfig c) {
    return Buffers.framesOnly(bufferLayout(c), Specs.autoencoder(c).frameSize(), AeOptions.from(c).train().buffer(),
        TrainingOptions.from(c).seed());
  }

  @Override
  public String bufferLayout(AmiConfig c) {
    return name() + "@" + RunOptions.from(c).inputSize() + "/" + AeOptions.from(c).train().buffer();
  }

  @Override
  public List<ModelTrainer> trainers(AmiConfig c, Buffers buffers, LocalMap<String, ParamSnapshot> params) {
    return List.of(new AeTrainer(Specs.autoencoder(c), AeOptions.from(c).train(), buffers.frames(),
        TrainingOptions.from(c).seed()));
  }

  @Override
  public Map<String, Integer> bufferCapacities(AmiConfig c) {
    return Map.of(ModelKeys.AE, AeOptions.from(c).train().buffer());
  }

  @Override
  public Map<String, Map<String, List<List<Long>>>> snapshotShapes(AmiConfig c) {
    ModelSpec spec = Specs.autoencoder(c);
    Map<String, List<List<Long>>> groups = new TreeMap<>();
    groups.put("encoder", SnapshotShapes.of(() -> AutoEncoders.encoder(spec), spec.frameShape(1)));
    groups.put("decoder", SnapshotShapes.of(() -> AutoEncoders.decoder(spec), new Shape(1, spec.latent())));
    return Map.of(ModelKeys.AE, groups);
  }

  @Override
  public List<ModelMemory> memory(AmiConfig c, NDManager m) {
    ModelSpec spec = Specs.autoencoder(c);
    long encoder = ModelProbe.params(m, () -> AutoEncoders.encoder(spec), spec.frameShape(1));
    long decoder = ModelProbe.params(m, () -> AutoEncoders.decoder(spec), new Shape(1, spec.latent()));
    double act = ModelProbe.activations(m, () -> AutoEncoders.autoEncoder(spec), spec.frameShape(AeOptions.from(c).train().batch()));
    // snapshot and its spare 2x, the agent's second encoder 1x
    return List.of(ModelProbe.model(ModelKeys.AE, encoder + decoder,
        ModelProbe.SNAPSHOTS * (encoder + decoder) + encoder, act, bufferBytes(c).get("ae.buffer")));
  }

  @Override
  public String encoderKey() {
    return ModelKeys.AE;
  }

  @Override
  public Optional<VaeSpec> preview(AmiConfig c) {
    return Optional.empty(); // the autoencoder predicts nothing
  }
}
