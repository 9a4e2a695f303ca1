package dev.ami.handover;

import dev.ami.bus.AgentState;
import dev.ami.data.Buffers;
import dev.ami.env.Environment;
import dev.ami.params.TrainerState;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The few live objects that outlive one deployment, each in a named slot, for the verticles of one Vert.x: the
 * environment (the world, capture and OSC stay up across an agent redeploy), the trainers' buffers (data outlives a
 * trainer redeploy), what a resumed run or a redeploy {@code from} a checkpoint starts from (each taken once by
 * the verticle that uses it), and whether anyone watches frames (the preview decodes only then). Snapshots go through
 * {@code ami.params}; nothing else is handed over.
 */
public final class Handovers implements Shareable {
  private static final String MAP = "ami.handovers";
  private static final String KEY = "handovers";

  private final AtomicReference<Environment> environment = new AtomicReference<>();
  private final AtomicReference<Buffers> buffers = new AtomicReference<>();
  private final AtomicReference<TrainerState> resumeTrainer = new AtomicReference<>();
  private final AtomicReference<AgentState> resumeAgent = new AtomicReference<>();
  private final AtomicBoolean consoleWantsFrames = new AtomicBoolean();
  private final AtomicBoolean tensorBoardWantsFrames = new AtomicBoolean();

  private Handovers() {
  }

  /** The handovers of {@code vertx}'s runtime, made on first use. */
  public static Handovers of(Vertx vertx) {
    var map = vertx.sharedData().<String, Handovers>getLocalMap(MAP);
    Handovers made = map.get(KEY);
    if (made != null) {
      return made;
    }
    Handovers fresh = new Handovers();
    Handovers before = map.putIfAbsent(KEY, fresh);
    return before == null ? fresh : before;
  }

  @Override
  public Shareable copy() {
    return this; // one set of slots per runtime, never a copy
  }

  /** The environment the running agent drives, or null. */
  public Environment environment() {
    return environment.get();
  }

  public void environment(Environment e) {
    environment.set(e);
  }

  /** Empties the slot if it still holds {@code e} (its owner is closing it). */
  public void releaseEnvironment(Environment e) {
    environment.compareAndSet(e, null);
  }

  /** The buffers the running trainer fills, or null. */
  public Buffers buffers() {
    return buffers.get();
  }

  public void buffers(Buffers b) {
    buffers.set(b);
  }

  /** Leaves the training state a new trainer starts from (a checkpoint's); null clears it. */
  public void resumeTrainer(TrainerState state) {
    resumeTrainer.set(state);
  }

  /** Takes the training state left for the next trainer, or null: a state has one owner. */
  public TrainerState takeResumeTrainer() {
    return resumeTrainer.getAndSet(null);
  }

  /** The training state left for the next trainer, without taking it (for checks), or null. */
  public TrainerState pendingResumeTrainer() {
    return resumeTrainer.get();
  }

  /** Leaves the agent state a resumed agent starts from. */
  public void resumeAgent(AgentState state) {
    resumeAgent.set(state);
  }

  /** Takes the agent state left for the next agent, or null. */
  public AgentState takeResumeAgent() {
    return resumeAgent.getAndSet(null);
  }

  /** The agent state left for the next agent, without taking it (for checks), or null. */
  public AgentState pendingResumeAgent() {
    return resumeAgent.get();
  }

  /** Whether a console client or a TensorBoard image due wants the expected frame. */
  public boolean framesWanted() {
    return consoleWantsFrames.get() || tensorBoardWantsFrames.get();
  }

  public void consoleWantsFrames(boolean wanted) {
    consoleWantsFrames.set(wanted);
  }

  public void tensorBoardWantsFrames(boolean wanted) {
    tensorBoardWantsFrames.set(wanted);
  }

  /** The process's run is over: its buffers' frames go with it. */
  public void clearBuffers() {
    buffers.set(null);
  }
}
