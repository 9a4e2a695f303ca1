package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ami.config.TrainerOptions;
import dev.ami.data.FrameBuffer;
import dev.ami.model.VaeSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * libtorch's own random draws in a training step (the VAE's reparameterisation noise, dropout) follow from the
 * trainer's seed and step count, as its Java draws do: not from what other trainers drew before it on the shared
 * thread (the round-robin's timing), so a resumed trainer, whose step count comes from the checkpoint, draws as
 * the uninterrupted one would.
 */
class TrainerDrawsTest {
  private static final VaeSpec SPEC = new VaeSpec(36, 8, 16, 8);

  /** The first step's loss of a fresh VAE trainer on fixed frames, after {@code foreign} draws by someone else. */
  private static float firstLoss(int foreign) {
    FrameBuffer frames = new FrameBuffer(16, SPEC.frameSize(), 1);
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < 16; i++) {
      byte[] f = new byte[SPEC.frameSize()];
      r.nextBytes(f);
      frames.add(f, false);
    }
    try (VaeTrainer trainer = new VaeTrainer(SPEC, new TrainerOptions(4, 1e-3, 0, 1, 16, 4, 0, 10), 1.0, frames, 9);
         NDManager other = NDManager.newBaseManager()) {
      for (int i = 0; i < foreign; i++) {
        other.randomNormal(new Shape(64)).close(); // another trainer's dropout, say, between the slices
      }
      assertThat(trainer.canStartRun(false)).isTrue();
      trainer.beginRun();
      assertThat(trainer.nextBatch()).isTrue();
      return trainer.step();
    }
  }

  @Test
  @DisplayName("a VAE step draws the same noise whatever libtorch drew before it on the thread")
  void libtorchDrawsFollowTheStepCount() {
    float alone = firstLoss(0);
    assertThat(alone).isFinite();
    assertThat(firstLoss(0)).as("the same seed, the same step").isEqualTo(alone);
    assertThat(firstLoss(3)).as("three foreign draws before the step change nothing").isEqualTo(alone);
  }
}
