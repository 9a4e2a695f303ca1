package dev.ami.training;

import ai.djl.ndarray.NDManager;
import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.RunState;
import dev.ami.bus.TrainRecord;
import dev.ami.control.CommandLoop;
import dev.ami.params.ModelState;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.TrainerState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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

    /** A PPO update ended (its figures, stamped with the version its end published). */
    default void ppo(PpoUpdate u) {
    }

    void event(Event e);
  }

  /**
   * How the loop schedules and guards.
   *
   * @param fresh start every model from new random weights, not from its snapshot (asked for by a redeploy)
   */
  public record Settings(long sliceNanos, int maxBadLosses, boolean fresh) {
    public Settings(long sliceNanos, int maxBadLosses) {
      this(sliceNanos, maxBadLosses, false);
    }
  }

  private final Supplier<List<ModelTrainer>> trainerFactory;
  private final Function<String, ParamPublisher> publishers;
  private final Settings settings;
  private final Sink sink;
  private final TrainerState resumeFrom;
  private final boolean standby;
  private volatile List<Slot> slots = List.of();
  private volatile boolean flatOut;

  /**
   * @param trainerFactory builds the trainers, in round-robin order, on the loop's thread
   * @param publishers the publisher for a model key
   */
  public TrainerLoop(Supplier<List<ModelTrainer>> trainerFactory, Function<String, ParamPublisher> publishers,
                     Settings settings, Sink sink) {
    this(trainerFactory, publishers, settings, sink, null, false);
  }

  /**
   * @param resumeFrom a checkpoint's training state to start from, or null; the caller keeps ownership and closes
   *     it once the loop has started training (or ended)
   * @param standby build the trainers, then wait for {@link #go} before touching any snapshot (a redeploy: the
   *     trainer it replaces is still training, and all training runs on one thread at a time)
   */
  public TrainerLoop(Supplier<List<ModelTrainer>> trainerFactory, Function<String, ParamPublisher> publishers,
                     Settings settings, Sink sink, TrainerState resumeFrom, boolean standby) {
    super("trainer", sink::event);
    this.trainerFactory = trainerFactory;
    this.publishers = publishers;
    this.settings = settings;
    this.sink = sink;
    this.resumeFrom = resumeFrom;
    this.standby = standby;
  }

  /** A standby loop starts: every model from the checkpoint it was given or its newest fitting snapshot. */
  public CompletableFuture<TrainerStatus> go(boolean paused) {
    return onLoop(() -> {
      if (state != RunState.STANDBY) {
        throw new IllegalStateException("the trainer is " + state.wireName() + ", not standing by");
      }
      startModels();
      state = paused ? RunState.PAUSED : RunState.RUNNING;
      return status();
    });
  }

  @Override
  protected RunState stateAfterStart() {
    return standby ? RunState.STANDBY : RunState.RUNNING;
  }

  /**
   * Every model's state, taken between two steps for a checkpoint. A model with steps since its last publish is
   * published first, so the saved parameters are exactly a published version. The training thread pauses only
   * for that publish and a native copy of the optimizer's moments ({@link TrainerState#pauseMs()}).
   */
  public CompletableFuture<TrainerState> capture() {
    return onLoop(this::takeState);
  }

  private TrainerState takeState() {
    long t0 = System.nanoTime();
    NDManager manager = NDManager.newBaseManager();
    manager.setName("checkpoint-optimizer");
    List<ModelState> models = new ArrayList<>();
    try {
      for (Slot s : slots) {
        if (s.stepsSincePublish > 0 || s.publisher.current() == null) {
          publish(s);
        }
        ParamSnapshot p = s.publisher.current();
        if (p == null || !p.tryAcquire()) {
          throw new IllegalStateException(s.trainer.key() + " has no snapshot to save");
        }
        models.add(new ModelState(s.trainer.key(), p.version(), p, s.counters(), s.trainer.optimizerSteps(),
            s.trainer.copyOptimizerState(manager)));
      }
    } catch (RuntimeException e) {
      models.forEach(m -> m.params().release());
      manager.close();
      throw e;
    }
    return new TrainerState(List.copyOf(models), (System.nanoTime() - t0) / 1e6, manager);
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
    if (!standby) {
      startModels();
    }
  }

  /** Each model from the checkpoint, else from its newest snapshot when that fits, else as built (published). */
  private void startModels() {
    for (Slot s : slots) {
      ModelState saved = resumeFrom == null ? null : resumeFrom.model(s.trainer.key());
      if (saved != null) {
        resumeFromCheckpoint(s, saved);
      } else if (settings.fresh()) {
        sink.event(Event.info("trainer-fresh", s.trainer.key() + " starts from new weights, as asked"));
        publish(s); // above the newest version: versions still only grow
      } else if (!resume(s)) {
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
      if (state == RunState.PAUSED || state == RunState.STANDBY) {
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
      s.publisher.close();
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
    PpoUpdate update = s.trainer.takeUpdate();
    if (update != null) {
      sink.ppo(update.withVersion(s.version));
    }
  }

  private void trainOnce(Slot s) {
    long t0 = System.nanoTime();
    float loss = s.trainer.step();
    double ms = (System.nanoTime() - t0) / 1e6;
    s.optimizerSteps = s.trainer.optimizerSteps();
    s.lastLoss = loss;
    if (Float.isFinite(loss)) {
      s.badInARow = 0;
      s.steps++;
      int every = s.trainer.publishEvery(); // 0: only at the run's end, as ami syncs once per trainer run
      if (++s.stepsSincePublish >= every && every > 0) {
        publish(s);
      }
    } else {
      s.skipped++;
      if (++s.badInARow >= settings.maxBadLosses()) {
        rollBack(s);
      }
    }
    sink.step(new TrainRecord(s.trainer.key(), s.steps, ms, loss, s.version, s.trainer.bufferSize(), s.skipped,
        System.currentTimeMillis(), s.trainer.lastGradNorm()));
  }

  private void publish(Slot s) {
    s.stepsSincePublish = 0;
    if (!s.trainer.parametersFinite()) {
      sink.event(Event.error("publish-refused", s.trainer.key() + " parameters at step " + s.steps
          + " are not finite; not published"));
      rollBack(s);
      return;
    }
    ParamSnapshot snapshot = s.publisher.publish(s.trainer.groups(), s.steps, s.trainer.spec());
    s.version = snapshot.version();
    sink.published(new ParamsPublished(snapshot.key(), snapshot.version(), s.steps, snapshot.createdNanos(),
        ParamsPublished.wallMicrosNow()));
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

  /** Parameters, optimizer and counters from a checkpoint: training goes on as if it had never stopped. */
  private void resumeFromCheckpoint(Slot s, ModelState saved) {
    s.trainer.restore(saved.params()); // shape-checked; a misfit fails the start with the reason
    s.trainer.restoreOptimizerState(saved.optimizer(), saved.optimizerSteps());
    s.trainer.restoreCounters(saved.counters());
    s.restoreCounters(saved.counters());
    s.optimizerSteps = s.trainer.optimizerSteps();
    s.version = saved.version();
    sink.event(Event.info("trainer-resumed", s.trainer.key() + " resumes from the checkpoint: v" + saved.version()
        + ", step " + s.steps + ", optimizer step " + saved.optimizerSteps()));
    if (s.publisher.version() > saved.version()) {
      publish(s); // a redeploy from an older checkpoint: its parameters become the next version, never an old one
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
      s.optimizerSteps = s.trainer.optimizerSteps();
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
    volatile long optimizerSteps; // the trainer's own count, mirrored here for readers on other threads
    int badInARow;
    int stepsSincePublish;

    Slot(ModelTrainer trainer, ParamPublisher publisher) {
      this.trainer = trainer;
      this.publisher = publisher;
    }

    /** The loop's counters and the trainer's own, for a checkpoint. */
    Map<String, Long> counters() {
      Map<String, Long> out = new LinkedHashMap<>(trainer.counters());
      out.put("steps", steps);
      out.put("skipped", skipped);
      out.put("rollbacks", rollbacks);
      out.put("runs", runs);
      return out;
    }

    void restoreCounters(Map<String, Long> saved) {
      steps = saved.getOrDefault("steps", 0L);
      skipped = saved.getOrDefault("skipped", 0L);
      rollbacks = saved.getOrDefault("rollbacks", 0L);
      runs = saved.getOrDefault("runs", 0L);
    }

    ModelStatus status() {
      return new ModelStatus(trainer.key(), steps, version, lastLoss, trainer.bufferSize(), skipped, rollbacks, runs,
          inRun, optimizerSteps);
    }
  }
}
