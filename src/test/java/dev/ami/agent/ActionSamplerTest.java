package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ami.env.Action;
import dev.ami.model.ActionHeads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ActionSamplerTest {
  @Test
  @DisplayName("sampled indices are valid and their frequencies match each part's probabilities")
  void frequenciesMatch() {
    float[] probs = {0.7f, 0.2f, 0.1f, 0.05f, 0.05f, 0.9f, 1f / 3, 1f / 3, 1f / 3, 0.99f, 0.01f, 0.4f, 0.6f};
    float[] logProbs = new float[13];
    for (int i = 0; i < 13; i++) {
      logProbs[i] = (float) Math.log(probs[i]);
    }
    int n = 200_000;
    int[] counts = new int[13];
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < n; i++) {
      int[] parts = ActionSampler.sample(logProbs, random);
      for (int h = 0; h < ActionHeads.COUNT; h++) {
        assertThat(parts[h]).isBetween(0, ActionHeads.SIZES[h] - 1);
        counts[ActionHeads.offset(h) + parts[h]]++;
      }
      assertThat(Action.fromParts(parts).parts()).containsExactly(parts);
    }
    for (int i = 0; i < 13; i++) {
      double sd = Math.sqrt(probs[i] * (1 - probs[i]) / n); // binomial: 5 sd is a one-in-a-million miss
      assertThat(counts[i] / (double) n).as("entry %d", i).isCloseTo(probs[i], within(5 * sd + 1e-4));
    }
  }

  @Test
  @DisplayName("the log-probability of a choice is its entry; probabilities are the exponentials")
  void logpOfChoice() {
    float[] logProbs = new float[13];
    for (int i = 0; i < 13; i++) {
      logProbs[i] = -i;
    }
    assertThat(ActionSampler.logp(logProbs, new int[] {2, 0, 1, 1, 0})).containsExactly(-2, -3, -7, -10, -11);
    assertThat(ActionSampler.probabilities(logProbs)[1]).isCloseTo((float) Math.exp(-1), within(1e-7f));
  }
}
