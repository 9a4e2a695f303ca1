package dev.ami.recording;

import dev.ami.bus.Addresses;
import dev.ami.bus.ObservationRecord;
import dev.ami.bus.TickRecord;
import dev.ami.config.AmiConfig;
import dev.ami.config.RecordOptions;
import dev.ami.runs.RunFolder;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import java.io.IOException;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what the agent saw and did into the run folder's {@code recordings/} ({@link SegmentWriter}), off the
 * tick: it pairs each {@link TickRecord} with the frame of the same tick on its event loop and hands both to a
 * thread of its own through a bounded queue. When the writer lags, frames are dropped first (the line is kept, with
 * {@code frame: null}), then whole ticks; both are counted. The tick never waits for it.
 */
public final class RecordingVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RecordingVerticle.class);
  /** Ticks waiting for the writer; beyond {@link #FRAMES_QUEUED} of them, frames are left out. */
  static final int CAPACITY = 4096;
  static final int FRAMES_QUEUED = 32;
  private static final Entry STOP = new Entry(null, null);

  private record Entry(TickRecord tick, ObservationRecord frame) {
  }

  private final TreeMap<Long, ObservationRecord> frames = new TreeMap<>(); // event-loop confined
  private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong framesDropped = new AtomicLong();
  private final AtomicLong ticksDropped = new AtomicLong();
  private Thread thread;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    RunFolder run = (RunFolder) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RUN_FOLDER_KEY);
    if (run == null) {
      return Future.failedFuture("recording needs a run folder");
    }
    SegmentWriter writer = new SegmentWriter(run.recordings(), RecordOptions.from(config));
    thread = new Thread(() -> drain(writer), "ami-recorder");
    thread.setDaemon(true);
    thread.start();
    EventBus bus = vertx.eventBus();
    bus.<ObservationRecord>localConsumer(Addresses.RECORD_FRAME, m -> {
      frames.put(m.body().tick(), m.body());
      while (frames.size() > 16) {
        frames.pollFirstEntry(); // a frame whose tick record never came (the loop stopped between the two)
      }
    });
    bus.<TickRecord>localConsumer(Addresses.TELEMETRY_TICK, m -> onTick(m.body()));
    LOG.info("recording into {}", run.recordings());
    return Future.succeededFuture();
  }

  private void onTick(TickRecord r) {
    ObservationRecord frame = frames.remove(r.tick());
    frames.headMap(r.tick()).clear();
    if (frame != null && queue.size() >= FRAMES_QUEUED) {
      frame = null;
      framesDropped.incrementAndGet();
    }
    if (!queue.offer(new Entry(r, frame))) {
      ticksDropped.incrementAndGet();
    }
  }

  private void drain(SegmentWriter writer) {
    long failures = 0;
    try {
      while (true) {
        Entry e = queue.poll(1, TimeUnit.SECONDS);
        if (e == STOP) {
          break;
        }
        try {
          if (e == null) {
            writer.flush();
            continue;
          }
          ObservationRecord f = e.frame();
          writer.write(e.tick().wallMillis(), f == null ? null : f.chw(), f == null ? 0 : f.height(),
              f == null ? 0 : f.width(), index -> TickLine.of(e.tick(), index));
          if (queue.isEmpty()) {
            writer.flush();
          }
        } catch (IOException | RuntimeException ex) {
          if (failures++ % 100 == 0) { // a full disk must not flood the log; the run goes on unrecorded
            LOG.warn("recording failed ({} so far): {}", failures, ex.toString());
          }
        }
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        writer.close();
      } catch (IOException ex) {
        LOG.warn("last recording segment not closed cleanly: {}", ex.toString());
      }
    }
  }

  /** Frames left out of the video because the writer lagged. */
  public long framesDropped() {
    return framesDropped.get();
  }

  @Override
  public Future<?> stop() {
    if (thread == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      if (!queue.offer(STOP, 30, TimeUnit.SECONDS)) {
        thread.interrupt(); // the writer is stuck (a hung disk): the last segment may stay unfinished
      }
      thread.join(30_000);
      if (thread.isAlive()) {
        LOG.warn("the recorder did not finish within 30 s");
      }
      if (framesDropped.get() + ticksDropped.get() > 0) {
        LOG.info("recording: {} frames and {} ticks dropped while the writer lagged", framesDropped.get(),
            ticksDropped.get());
      }
      return null;
    });
  }
}
