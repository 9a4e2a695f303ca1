package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.ami.params.ParamSnapshot;
import java.util.List;
import java.util.Map;

/** A real trainer behind a test's own twist: everything is passed on unless a subclass says otherwise. */
abstract class DelegatingTrainer implements ModelTrainer {
  protected final ModelTrainer inner;

  DelegatingTrainer(ModelTrainer inner) {
    this.inner = inner;
  }

  @Override
  public String key() {
    return inner.key();
  }

  @Override
  public boolean canStartRun(boolean ignoreNewSamples) {
    return inner.canStartRun(ignoreNewSamples);
  }

  @Override
  public int beginRun() {
    return inner.beginRun();
  }

  @Override
  public boolean nextBatch() {
    return inner.nextBatch();
  }

  @Override
  public float step() {
    return inner.step();
  }

  @Override
  public void endRun() {
    inner.endRun();
  }

  @Override
  public String spec() {
    return inner.spec();
  }

  @Override
  public Map<String, Block> groups() {
    return inner.groups();
  }

  @Override
  public void restore(ParamSnapshot snapshot) {
    inner.restore(snapshot);
  }

  @Override
  public boolean parametersFinite() {
    return inner.parametersFinite();
  }

  @Override
  public int bufferSize() {
    return inner.bufferSize();
  }

  @Override
  public int publishEvery() {
    return inner.publishEvery();
  }

  @Override
  public int optimizerSteps() {
    return inner.optimizerSteps();
  }

  @Override
  public List<NDArray> copyOptimizerState(NDManager into) {
    return inner.copyOptimizerState(into);
  }

  @Override
  public void restoreOptimizerState(List<NDArray> state, int steps) {
    inner.restoreOptimizerState(state, steps);
  }

  @Override
  public Map<String, Long> counters() {
    return inner.counters();
  }

  @Override
  public void restoreCounters(Map<String, Long> saved) {
    inner.restoreCounters(saved);
  }

  @Override
  public void close() {
    inner.close();
  }
}
