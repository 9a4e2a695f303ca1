package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.agent.CuriosityBrain;
import dev.ami.agent.Decision;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AmiConfig;
import dev.ami.config.FdOptions;
import dev.ami.config.RewardOptions;
import dev.ami.config.SimOptions;
import dev.ami.config.VaeOptions;
import dev.ami.data.FrameBuffer;
import dev.ami.data.StepBuffer;
import dev.ami.env.Frame;
import dev.ami.kind.Specs;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.VaeSpec;
import dev.ami.osc.OscActuator;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.support.Await;
import dev.ami.support.TestRuntime;
import dev.ami.system.FreePort;
import dev.ami.world.sim.SimWorld;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The forward model learns the built-in world: a sequence recorded through real OSC and rendered frames. */
class DynamicsLearningTest {
  @Test
  @DisplayName("forward-dynamics loss falls on a sequence recorded in the built-in world")
  void lossFallsOnRecordedSequence() throws Exception {
    AmiConfig c = TestRuntime.smallConfig(Map.of());
    VaeSpec vae = Specs.vae(c);
    DynamicsSpec fd = Specs.dynamics(c);
    int side = vae.inputSize();
    Vertx vertx = Vertx.vertx();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap("dynamics-learning");
    StepBuffer steps = new StepBuffer(512, vae.frameSize(), fd.hiddenSize());
    SimWorld world = new SimWorld(new SimOptions(FreePort.udp(), 30, side, side, side, "", "mpegts", "room"));
    try (OscActuator actuator = OscActuator.open("127.0.0.1", world.oscPort(), 1000, 0)) {
      world.start();
      CuriosityBrain brain = new CuriosityBrain(vae, fd, Specs.policy(c), RewardOptions.from(c), 3, params);
      try {
        long tick = 0;
        long lastSequence = -1;
        Await.until(Await.MINUTE, () -> world.latest() != null, "the world renders");
        while (steps.size() < 240) {
          assertThat(tick).as("ticks for 240 completed steps").isLessThan(2_000);
          Frame f = world.latest();
          Decision d = brain.decide(f, ++tick, f.sequence() == lastSequence);
          lastSequence = f.sequence();
          actuator.act(d.action());
          if (d.completed() != null) {
            steps.add(d.completed());
          }
          Thread.sleep(50); // 20 Hz: the world (30 fps) moves between ticks
        }
      } finally {
        brain.close();
      }
    } finally {
      world.close();
    }

    // the encoder the forward model predicts: a freshly initialised VAE's, frozen
    try (VaeTrainer encoder = new VaeTrainer(vae, VaeOptions.from(c).train().withBatch(1), 0,
        new FrameBuffer(1, vae.frameSize(), 1), 5);
         DynamicsTrainer trainer = new DynamicsTrainer(fd, vae, FdOptions.from(c).train(),
             c.getInt("fd.window"), 1000, steps, () -> params.get(ModelKeys.VAE), 7);
         ParamPublisher vaes = new ParamPublisher(ModelKeys.VAE, params, 0)) {
      vaes.publish(encoder.groups(), 0);
      List<StepBuffer.Window> held = new ArrayList<>();
      SplittableRandom random = new SplittableRandom(1);
      while (held.size() < 16) {
        StepBuffer.Window w = trainer.newWindow();
        assertThat(steps.window(random, 64, w)).as("a usable window among 240 recorded steps").isTrue();
        held.add(w);
      }
      double before = meanLoss(trainer, held);
      trainer.beginRun();
      int done = 0;
      for (; done < 400 && trainer.nextBatch(); done++) {
        long skippedBefore = trainer.nonFiniteGradients() + trainer.outlierGradients();
        float loss = trainer.step();
        // a NaN is allowed only as a guarded skip: libtorch's rare NaN gradients (docs/performance.md §6b) or a
        // finite but absurd gradient the guard refuses (GradientGuard; seen once in CI-like runs at step 309):
        // the forward itself must stay finite, and the skip must be counted
        if (!Float.isFinite(loss)) {
          assertThat(trainer.nonFiniteGradients() + trainer.outlierGradients())
              .as("a non-finite loss at step %d from the forward", done).isEqualTo(skippedBefore + 1);
        }
      }
      assertThat(done).as("steps trained").isEqualTo(400);
      assertThat(trainer.nonFiniteGradients() + trainer.outlierGradients())
          .as("steps skipped for NaN or absurd gradients (1 in 400-800 measured)").isLessThanOrEqualTo(8);
      assertThat(trainer.parametersFinite()).as("every weight finite after the run").isTrue();
      // what the snapshots carry to the agent: the model, and the encoder its windows were encoded with
      assertThat(trainer.groups()).containsOnlyKeys("model", ModelKeys.FD_ENCODER);
      List<ai.djl.nn.Parameter> carried = dev.ami.params.SnapshotCopy.parameters(
          trainer.groups().get(ModelKeys.FD_ENCODER));
      List<ai.djl.nn.Parameter> published = dev.ami.params.SnapshotCopy.parameters(encoder.groups().get("encoder"));
      assertThat(carried).hasSameSizeAs(published);
      for (int i = 0; i < carried.size(); i++) {
        assertThat(carried.get(i).getArray().toFloatArray()).as("encoder parameter %d", i)
            .containsExactly(published.get(i).getArray().toFloatArray());
      }
      double after = meanLoss(trainer, held);
      assertThat(after).as("mean NLL on 16 recorded windows: before %s, after %s", before, after)
          .isLessThan(0.6 * before);
    } finally {
      params.values().forEach(ParamSnapshot::release);
      vertx.close();
    }
  }

  private static double meanLoss(DynamicsTrainer trainer, List<StepBuffer.Window> windows) {
    double sum = 0;
    for (StepBuffer.Window w : windows) {
      sum += trainer.evaluate(w);
    }
    return sum / windows.size();
  }
}
