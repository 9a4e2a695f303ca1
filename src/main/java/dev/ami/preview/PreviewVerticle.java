package dev.ami.preview;

import dev.ami.bus.Addresses;
import dev.ami.bus.ExpectedFrameRecord;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.ObservationRecord;
import dev.ami.config.AmiConfig;
import dev.ami.handover.Handovers;
import dev.ami.kind.AgentKinds;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.LocalMap;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's "expected next frame": for each frame the agent shares (at {@code telemetry.frame_hz}), decodes
 * the forward model's prediction of the next latent on a thread of its own and publishes the picture on
 * {@link Addresses#TELEMETRY_EXPECTED}. It runs at the console's rate, never the tick's, only while a console
 * client watches frames, and drops a frame rather than queue one while it is still decoding the last.
 */
public final class PreviewVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PreviewVerticle.class);

  private ExecutorService thread;
  private Imagination imagination;
  private volatile boolean busy;
  private MessageConsumer<ObservationRecord> frames;
  private long failures;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    Optional<VaeSpec> preview = AgentKinds.of(config).preview(config);
    if (preview.isEmpty()) {
      return Future.succeededFuture(); // nothing predicts the next latent
    }
    VaeSpec spec = preview.get();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    Handovers handovers = Handovers.of(vertx);
    thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ami-preview");
      t.setDaemon(true);
      return t;
    });
    Promise<Void> built = Promise.promise();
    thread.execute(() -> {
      try {
        imagination = new Imagination(spec);
        built.complete();
      } catch (Throwable t) {
        built.fail(t);
      }
    });
    frames = vertx.eventBus().<ObservationRecord>localConsumer(Addresses.TELEMETRY_FRAME, m -> {
      ObservationRecord r = m.body();
      if (r.predictedLatent() == null || busy || !handovers.framesWanted()) {
        return; // nobody is watching (no console client, no TensorBoard image due): no decoding
      }
      if (r.predictedLatent().length != spec.latent()) {
        return; // another model's latent: a redeploy is under way, and this preview's successor follows it
      }
      busy = true;
      thread.execute(() -> {
        try {
          if (imagination.follow(params.get(ModelKeys.VAE))) {
            float[] picture = imagination.decode(r.predictedLatent());
            vertx.eventBus().publish(Addresses.TELEMETRY_EXPECTED, new ExpectedFrameRecord(r.tick(), picture,
                spec.inputSize(), spec.inputSize(), imagination.version(), System.currentTimeMillis()));
          }
        } catch (RuntimeException e) {
          if (failures++ % 100 == 0) { // a snapshot being freed under us is harmless; anything else is logged
            LOG.warn("expected frame not decoded ({} so far): {}", failures, e.toString());
          }
        } finally {
          busy = false;
        }
      });
    });
    return built.future().recover(e -> Future.failedFuture(new IllegalStateException(
        "the preview's decoder could not be built: " + e, e)));
  }

  @Override
  public Future<?> stop() {
    if (thread == null) {
      return Future.succeededFuture();
    }
    Future<Void> unregistered = frames == null ? Future.succeededFuture() : frames.unregister();
    return unregistered.compose(v -> vertx.executeBlocking(() -> {
      thread.execute(() -> {
        if (imagination != null) {
          imagination.close();
        }
      });
      thread.shutdown();
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("the preview thread did not stop within 10 s");
      }
      return null;
    }));
  }
}
