package dev.ami.params;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * One model's training state, as a checkpoint keeps it: the published parameters, the optimizer's state
 * and the counters that let training go on where it stopped. Local-only: it holds native arrays.
 *
 * @param params the snapshot of the parameters at {@code version}, acquired by whoever holds this state
 * @param counters the training loop's counters (steps, skipped, rollbacks, runs) and the trainer's own
 * @param optimizerSteps Adam's step count t (its bias correction depends on it)
 * @param optimizer Adam's first moments, then its second moments, in parameter order
 */
public record ModelState(String key, long version, ParamSnapshot params, Map<String, Long> counters,
                         int optimizerSteps, List<NDArray> optimizer) {
}
