package dev.ami.training;

import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.RunState;
import dev.ami.bus.TrainRecord;
import dev.ami.control.CommandLoop;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The training thread: every model's trainer, round-robin. Each trainer whose gate is open gets a slice of
 * at most {@code sliceNanos} (at least one step) of its current run, then the next trainer gets one, so a
 * long VAE run never keeps PPO waiting behind it. Each trainer publishes at the end of every run and
 * within a run every {@code publishEvery} steps. It reads only the buffers and writes only the params map,
 * so the agent never waits for it.
 */
public final class TrainerLoop extends CommandLoop<TrainerStatus> {
  /** Where the loop's output goes; the verticle wires these to the event bus. */
  public interface Sink {
    void published(ParamsPublished p);

    void step(TrainRecord r);

    void event(Event e);
  }

  /** How the loop schedules and guards. */
  public record Settings(long sliceNanos, int maxBadLosses) {
  }

  private final Supplier<List<ModelTrainer>> trainerFactory;
  private final Function<String, ParamPublisher> publishers;
  private final Settings settings;
  private final Sink sink;
  private volatile List<Slot> slots = List.of();
  private volatile boolean flatOut;

  /**
   * @param trainerFactory builds the trainers, in round-robin order, on the loop's thread
   * @param publishers the publisher for a model key
   */
  public TrainerLoop(Supplier<List<ModelTrainer>> trainerFactory, Function<String, ParamPublisher> publishers,
                     Settings settings, Sink sink) {
    super("trainer", sink::event);
    this.trainerFactory = trainerFactory;
    this.publishers = publishers;
    this.settings = settings;
    this.sink = sink;
  }

  @Override
  public TrainerStatus status() {
    List<ModelStatus> models = new ArrayList<>();
    for (Slot s : slots) {
      models.add(s.status());
    }
    return new TrainerStatus(state, models);
  }

  @Override
  protected void start() {
    List<Slot> built = new ArrayList<>();
    for (ModelTrainer t : trainerFactory.get()) {
      built.add(new Slot(t, publishers.apply(t.key())));
    }
    slots = List.copyOf(built);
    for (Slot s : slots) {
      if (!resume(s)) {
        publish(s); // nothing known yet: the agent starts from the trainer's initial parameters
      }
    }
  }

  @Override
  protected void loop() throws InterruptedException {
    while (true) {
      if (!applyCommands()) {
        return;
      }
      if (state == RunState.PAUSED) {
        if (!awaitCommand(1000)) {
          return;
        }
        continue;
      }
      boolean worked = false;
      for (Slot s : slots) {
        if (hasCommands()) {
          break; // commands first: a pause must not wait for every trainer's slice
        }
        worked |= slice(s);
      }
      if (!worked && !awaitCommand(5)) {
        return;
      }
    }
  }

  @Override
  protected void finish() {
    for (Slot s : slots) {
      try {
        s.trainer.close();
      } catch (RuntimeException e) {
        sink.event(Event.warn("trainer-close", s.trainer.key() + " did not close cleanly: " + e));
      }
    }
  }

  @Override
  protected boolean handle(Command<TrainerStatus> c) {
    switch (c.name()) {
      case "pause" -> state = RunState.PAUSED;
      case "resume" -> state = RunState.RUNNING;
      case "flat-out" -> flatOut = c.n() != 0; // gates ignore new-sample counts: the bench's isolated phase
      default -> {
        c.done().completeExceptionally(new IllegalArgumentException("unknown trainer command " + c.name()));
        return true;
      }
    }
    c.done().complete(status());
    return true;
  }

  /** Runs one slice of {@code s}'s current run, starting a run if its gate is open; false when idle. */
  private boolean slice(Slot s) {
    if (!s.inRun) {
      if (!s.trainer.canStartRun(flatOut)) {
        return false;
      }
      if (s.trainer.beginRun() == 0) {
        s.trainer.endRun();
        return false;
      }
      s.inRun = true;
      s.runs++;
    }
    long end = System.nanoTime() + settings.sliceNanos();
    do {
      if (!s.trainer.nextBatch()) {
        endRun(s);
        return true;
      }
      trainOnce(s);
    } while (System.nanoTime() < end && !hasCommands());
    return true;
  }

  private void endRun(Slot s) {
    s.trainer.endRun();
    s.inRun = false;
    if (s.stepsSincePublish > 0) {
      publish(s);
    }
  }

  private void trainOnce(Slot s) {
    long t0 = System.nanoTime();
    float loss = s.trainer.step();
    double ms = (System.nanoTime() - t0) / 1e6;
    s.lastLoss = loss;
    if (Float.isFinite(loss)) {
      s.badInARow = 0;
      s.steps++;
      if (++s.stepsSincePublish >= s.trainer.publishEvery()) {
        publish(s);
      }
    } else {
      s.skipped++;
      if (++s.badInARow >= settings.maxBadLosses()) {
        rollBack(s);
      }
    }
    sink.step(new TrainRecord(s.trainer.key(), s.steps, ms, loss, s.version, s.trainer.bufferSize(), s.skipped,
        System.currentTimeMillis()));
  }

  private void publish(Slot s) {
    s.stepsSincePublish = 0;
    if (!s.trainer.parametersFinite()) {
      sink.event(Event.error("publish-refused", s.trainer.key() + " parameters at step " + s.steps
          + " are not finite; not published"));
      rollBack(s);
      return;
    }
    ParamSnapshot snapshot = s.publisher.publish(s.trainer.groups(), s.steps);
    s.version = snapshot.version();
    sink.published(new ParamsPublished(snapshot.key(), snapshot.version(), s.steps, snapshot.createdNanos()));
  }

  /**
   * A new trainer starts from what is known: the newest snapshot of its model, when its shapes fit. Its
   * optimizer starts afresh. Returns false when there is no snapshot to start from (or it does not fit).
   */
  private boolean resume(Slot s) {
    ParamSnapshot last = s.publisher.current();
    if (last == null || !last.tryAcquire()) {
      return false;
    }
    try {
      s.trainer.restore(last);
      s.version = last.version();
      sink.event(Event.info("trainer-resumed", s.trainer.key() + " starts from its snapshot v" + last.version()));
      return true;
    } catch (IllegalStateException misfit) {
      sink.event(Event.warn("trainer-fresh", s.trainer.key() + " starts from new weights: its newest snapshot v"
          + last.version() + " does not fit: " + misfit.getMessage()));
      return false;
    } finally {
      last.release();
    }
  }

  private void rollBack(Slot s) {
    ParamSnapshot last = s.publisher.current();
    if (last == null || !last.tryAcquire()) {
      sink.event(Event.error("trainer-diverged", s.trainer.key() + ": " + s.badInARow
          + " non-finite losses in a row and no snapshot to roll back to"));
      return;
    }
    try {
      s.trainer.restore(last);
      s.rollbacks++;
      s.badInARow = 0;
      sink.event(Event.warn("trainer-rollback", s.trainer.key() + ": " + settings.maxBadLosses()
          + " non-finite losses in a row: rolled back to version " + last.version()));
    } finally {
      last.release();
    }
  }

  /** One trainer and its counters; written on the loop's thread, read anywhere. */
  private static final class Slot {
    final ModelTrainer trainer;
    final ParamPublisher publisher;
    volatile long steps;
    volatile long version;
    volatile float lastLoss = Float.NaN;
    volatile long skipped;
    volatile long rollbacks;
    volatile long runs;
    volatile boolean inRun;
    int badInARow;
    int stepsSincePublish;

    Slot(ModelTrainer trainer, ParamPublisher publisher) {
      this.trainer = trainer;
      this.publisher = publisher;
    }

    ModelStatus status() {
      return new ModelStatus(trainer.key(), steps, version, lastLoss, trainer.bufferSize(), skipped, rollbacks, runs,
          inRun);
    }
  }
}
