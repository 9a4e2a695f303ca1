package dev.ami.training;

import dev.ami.config.AmiConfig;
import dev.ami.data.Buffers;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;

/**
 * What a trainer verticle builds for a config: its buffers and its trainers. The agent kinds provide it (the
 * wiring above passes it in, so this package knows no kind); tests replace the trainers with their own.
 */
public interface TrainerCatalogue {
  /** The buffers the trainers learn from, sized as the config asks. */
  Buffers buffers(AmiConfig c);

  /** What {@link #buffers} would look like, without allocating them: equal layouts can take over each other's data. */
  String bufferLayout(AmiConfig c);

  /** The trainers, in round-robin order, built on the training thread. */
  List<ModelTrainer> trainers(AmiConfig c, Buffers buffers, LocalMap<String, ParamSnapshot> params);

  /** The same buffers with other trainers: a test's, which may wrap the ones this catalogue builds. */
  default TrainerCatalogue withTrainers(TrainerVerticle.TrainerFactory factory) {
    TrainerCatalogue buffersFrom = this;
    return new TrainerCatalogue() {
      @Override
      public Buffers buffers(AmiConfig c) {
        return buffersFrom.buffers(c);
      }

      @Override
      public String bufferLayout(AmiConfig c) {
        return buffersFrom.bufferLayout(c);
      }

      @Override
      public List<ModelTrainer> trainers(AmiConfig c, Buffers buffers, LocalMap<String, ParamSnapshot> params) {
        return factory.build(c, buffers, params);
      }
    };
  }
}
