package dev.ami.data;

import dev.ami.bus.StepRecord;
import dev.ami.model.ActionHeads;
import io.vertx.core.shareddata.Shareable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The trainers' data, fed from the agent's steps: frames for the encoder ({@code vae} or {@code ae}), and for
 * the curiosity agent the causal steps of the forward model and PPO's rollouts. One step record is shared by
 * all of them, frames as uint8; each buffer copies what it keeps into slots of its own, off the Java heap, and
 * the record itself dies young. Kept in a local map so the data outlives a redeploy of the trainer.
 */
public final class Buffers implements Shareable {
  private final String layout;
  private final int frameBytes;
  private final int hiddenSize;
  private final FrameBuffer frames;
  private final StepBuffer steps;
  private final Rollouts rollouts;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong notForPpo = new AtomicLong();
  private volatile String lastRefusal = "";

  private Buffers(String layout, int frameBytes, int hiddenSize, FrameBuffer frames, StepBuffer steps,
                  Rollouts rollouts) {
    this.layout = layout;
    this.frameBytes = frameBytes;
    this.hiddenSize = hiddenSize;
    this.frames = frames;
    this.steps = steps;
    this.rollouts = rollouts;
  }

  /**
   * Frames alone, for an agent whose only model is its encoder.
   *
   * @param layout what these buffers look like (the kind's); equal layouts can take over each other's data
   */
  public static Buffers framesOnly(String layout, int frameBytes, int frames, long seed) {
    return new Buffers(layout, frameBytes, 0, new FrameBuffer(frames, frameBytes, seed), null, null);
  }

  /** Frames, the forward model's steps (each with a hidden state of {@code hiddenSize} floats) and PPO's rollouts. */
  public static Buffers withSteps(String layout, int frameBytes, int hiddenSize, int frames, int steps, int rollouts,
                                  long seed) {
    return new Buffers(layout, frameBytes, hiddenSize, new FrameBuffer(frames, frameBytes, seed),
        new StepBuffer(steps, frameBytes, hiddenSize), new Rollouts(rollouts));
  }

  public String layout() {
    return layout;
  }

  /**
   * Files one step in every buffer that wants it. A step that does not fit (another frame size, a hidden state
   * of another size, actions outside their parts) is refused whole and counted; the buffers stay as they were.
   * A step without a reward or log-probabilities, or on a stale frame, still feeds the encoder and the forward
   * model (which skips stale targets itself), and is counted as kept from PPO.
   */
  public void accept(StepRecord s) {
    String misfit = misfit(s);
    if (misfit != null) {
      refuse("step " + s.tick() + " " + misfit);
      return;
    }
    frames.add(s.frame(), s.stale());
    if (steps != null) {
      steps.add(s);
      // a stale frame is no new observation: the forward model never learns from it, nor does PPO
      if (!s.stale() && s.logp() != null && Float.isFinite(s.reward()) && Float.isFinite(s.value())) {
        rollouts.add(s);
      } else {
        notForPpo.incrementAndGet();
      }
    }
  }

  /** Why the step does not fit these buffers, or null. */
  private String misfit(StepRecord s) {
    if (s.frame().length != frameBytes) {
      return "has a frame of " + s.frame().length + " bytes; the models see " + frameBytes;
    }
    if (s.action() == null || s.action().length != ActionHeads.COUNT) {
      return "has no action of " + ActionHeads.COUNT + " parts";
    }
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      if (s.action()[h] < 0 || s.action()[h] >= ActionHeads.SIZES[h]) {
        return "has action part " + h + " = " + s.action()[h] + ", outside [0, " + ActionHeads.SIZES[h] + ")";
      }
    }
    if (steps == null) {
      return null;
    }
    if (s.hidden() == null || s.hidden().length != hiddenSize) {
      return "has a hidden state of " + (s.hidden() == null ? "no" : s.hidden().length) + " floats; the forward "
          + "model carries " + hiddenSize;
    }
    if (s.logp() != null && s.logp().length != ActionHeads.COUNT) {
      return "has " + s.logp().length + " log-probabilities for " + ActionHeads.COUNT + " action parts";
    }
    return null;
  }

  /** Steps kept from PPO because they had no reward, value or log-probabilities, or a stale frame. */
  public long notForPpo() {
    return notForPpo.get();
  }

  private void refuse(String why) {
    refused.incrementAndGet();
    lastRefusal = why;
  }

  public FrameBuffer frames() {
    return frames;
  }

  public StepBuffer steps() {
    return steps;
  }

  public Rollouts rollouts() {
    return rollouts;
  }

  public long refused() {
    return refused.get();
  }

  public String lastRefusal() {
    return lastRefusal;
  }

  /** The buffers a checkpoint saves, by file name (docs/persistence.md). */
  public Map<String, Saved> parts() {
    Map<String, Saved> out = new LinkedHashMap<>();
    out.put("frames.bin", frames);
    if (steps != null) {
      out.put("steps.bin", steps);
      out.put("rollouts.bin", rollouts);
    }
    return out;
  }

  @Override
  public Shareable copy() {
    return this; // one set of buffers, shared on purpose; each buffer is thread-safe
  }
}
