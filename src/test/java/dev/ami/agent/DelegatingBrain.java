package dev.ami.agent;

import dev.ami.env.Frame;
import dev.ami.params.ParamFollower;
import java.util.List;

/** A brain that hands everything to another: tests override the one call they want to break. */
class DelegatingBrain implements Brain {
  protected final Brain inner;

  DelegatingBrain(Brain inner) {
    this.inner = inner;
  }

  @Override
  public List<ParamFollower> followers() {
    return inner.followers();
  }

  @Override
  public Decision decide(Frame frame, long tick, boolean stale) {
    return inner.decide(frame, tick, stale);
  }

  @Override
  public void breakChain() {
    inner.breakChain();
  }

  @Override
  public float[] state() {
    return inner.state();
  }

  @Override
  public void restoreState(float[] saved) {
    inner.restoreState(saved);
  }

  @Override
  public void close() {
    inner.close();
  }
}
