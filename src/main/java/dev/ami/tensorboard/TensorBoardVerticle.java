package dev.ami.tensorboard;

import dev.ami.bus.Addresses;
import dev.ami.bus.ExpectedFrameRecord;
import dev.ami.bus.ObservationRecord;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import dev.ami.config.AmiConfig;
import dev.ami.config.TelemetryOptions;
import dev.ami.handover.Handovers;
import dev.ami.runs.RunFolder;
import dev.ami.telemetry.IntervalSummary;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the run's learning curves into {@code <run>/tb/} for TensorBoard, off the tick: it listens to the
 * telemetry the runtime publishes anyway, sums it up on its event loop every {@code telemetry.tb_every_s}, and
 * hands the figures to a thread of its own that encodes and writes them. The step axis is the agent's tick count,
 * which a resumed run carries on. Every {@code telemetry.tb_image_every_s} it also writes the frame the agent acted
 * on and the frame it expected; the run's config goes in once as text.
 */
public final class TensorBoardVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TensorBoardVerticle.class);

  private final IntervalSummary window = new IntervalSummary(); // event-loop confined
  private ExecutorService io;
  private EventWriter writer; // io-thread confined
  private long lastTick = -1;
  private long nextImageMillis;
  private ObservationRecord pendingFrame; // waiting for its expected frame
  private long imageEveryMs;
  private long failures;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    RunFolder run = (RunFolder) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RUN_FOLDER_KEY);
    if (run == null) {
      return Future.failedFuture("the TensorBoard writer needs a run folder");
    }
    io = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ami-tensorboard");
      t.setDaemon(true);
      return t;
    });
    Promise<Void> opened = Promise.promise();
    long now = System.currentTimeMillis();
    io.execute(() -> {
      try {
        writer = new EventWriter(run.tensorboard(), now);
        if (Files.isRegularFile(run.config())) {
          writer.text("config", 0, "```yaml\n" + Files.readString(run.config(), StandardCharsets.UTF_8) + "```", now);
        }
        writer.flush();
        opened.complete();
      } catch (IOException | RuntimeException e) {
        opened.fail(e);
      }
    });
    EventBus bus = vertx.eventBus();
    bus.<TickRecord>localConsumer(Addresses.TELEMETRY_TICK, m -> {
      window.tick(m.body());
      lastTick = Math.max(lastTick, m.body().tick());
    });
    bus.<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> window.train(m.body()));
    bus.<WorldRecord>consumer(Addresses.TELEMETRY_WORLD, m -> window.world(m.body()));
    imageEveryMs = TelemetryOptions.from(config).tbImageEveryS() * 1000L;
    if (imageEveryMs > 0) {
      nextImageMillis = now; // one pair at the start, then every so often
      bus.<ObservationRecord>localConsumer(Addresses.TELEMETRY_FRAME, m -> onFrame(m.body()));
      bus.<ExpectedFrameRecord>localConsumer(Addresses.TELEMETRY_EXPECTED, m -> onExpected(m.body()));
    }
    vertx.setPeriodic(TelemetryOptions.from(config).tbEveryS() * 1000L, t -> flushWindow());
    LOG.info("TensorBoard: tensorboard --logdir {}", run.tensorboard().getParent().getParent());
    return opened.future();
  }

  private void flushWindow() {
    if (lastTick < 0) {
      return; // nothing ticked yet: no point on the step axis
    }
    long step = lastTick;
    long now = System.currentTimeMillis();
    List<IntervalSummary.Scalar> scalars = window.drain(now);
    io.execute(() -> {
      try {
        for (IntervalSummary.Scalar s : scalars) {
          if (Double.isFinite(s.value())) {
            writer.scalar(s.tag(), step, s.value(), now);
          }
        }
        writer.flush();
      } catch (IOException | RuntimeException e) {
        reportFailure(e);
      }
    });
  }

  private void onFrame(ObservationRecord r) {
    long now = System.currentTimeMillis();
    if (pendingFrame != null && now - pendingFrame.wallMillis() > 10_000) {
      writeImages(pendingFrame, null); // the expected frame never came (no forward model yet): the frame alone
      pendingFrame = null;
    }
    if (pendingFrame == null && now >= nextImageMillis) {
      nextImageMillis = now + imageEveryMs;
      pendingFrame = r;
      if (r.predictedLatent() == null) {
        writeImages(r, null);
        pendingFrame = null;
      } else {
        Handovers.of(vertx).tensorBoardWantsFrames(true);
      }
    }
  }

  private void onExpected(ExpectedFrameRecord e) {
    if (pendingFrame != null && e.tick() == pendingFrame.tick()) {
      writeImages(pendingFrame, e);
      pendingFrame = null;
      Handovers.of(vertx).tensorBoardWantsFrames(false);
    }
  }

  private void writeImages(ObservationRecord frame, ExpectedFrameRecord expected) {
    long step = frame.tick();
    io.execute(() -> {
      try {
        writer.image("frame/seen", step, Png.encode(frame.chw(), frame.height(), frame.width()), frame.height(),
            frame.width(), frame.wallMillis());
        if (expected != null) {
          writer.image("frame/expected", step, Png.encode(expected.chw(), expected.height(), expected.width()),
              expected.height(), expected.width(), expected.wallMillis());
        }
        writer.flush();
      } catch (IOException | RuntimeException e) {
        reportFailure(e);
      }
    });
  }

  private void reportFailure(Exception e) {
    if (failures++ % 100 == 0) { // a full disk must not flood the log; the run goes on without curves
      LOG.warn("TensorBoard write failed ({} so far): {}", failures, e.toString());
    }
  }

  @Override
  public Future<?> stop() {
    if (io == null) {
      return Future.succeededFuture();
    }
    flushWindow();
    Handovers.of(vertx).tensorBoardWantsFrames(false);
    return vertx.executeBlocking(() -> {
      io.execute(() -> {
        try {
          if (writer != null) {
            writer.close();
          }
        } catch (IOException e) {
          LOG.warn("TensorBoard file not closed cleanly: {}", e.toString());
        }
      });
      io.shutdown();
      if (!io.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("the TensorBoard writer did not finish within 10 s");
      }
      return null;
    });
  }
}
