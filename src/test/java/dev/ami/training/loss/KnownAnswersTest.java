package dev.ami.training.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ami.model.ActionHeads;
import dev.ami.model.GaussianNll;
import dev.ami.support.Golden;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The curiosity agent's loss math against hand-computed values and against the independent PyTorch answers in
 * golden/curiosity.json (relative tolerance near 1e-5, in float32).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KnownAnswersTest {
  private NDManager m;

  @BeforeAll
  void manager() {
    m = NDManager.newBaseManager();
  }

  @AfterAll
  void close() {
    m.close();
  }

  private static void close(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5f * Math.max(1f, Math.abs(expected[i]))));
    }
  }

  private static void close(double actual, double expected) {
    assertThat(actual).isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
  }

  @Nested
  @DisplayName("GAE")
  class GaeAnswers {
    @Test
    @DisplayName("a three-step rollout by hand: γ 0.9, λ 0.8")
    void byHand() {
      Gae.Result r = Gae.compute(new float[] {1, 0, 2}, new float[] {0.5f, 1, 0, 0.5f}, 0.9, 0.8);
      // δ = [1.4, -1.0, 2.45]; A2 = 2.45, A1 = -1 + 0.72·2.45 = 0.764, A0 = 1.4 + 0.72·0.764 = 1.95008
      assertThat(r.advantages()).containsExactly(new double[] {1.95008, 0.764, 2.45}, within(1e-6));
      assertThat(r.returns()).containsExactly(new double[] {2.45008, 1.764, 2.45}, within(1e-6));
    }

    @Test
    @DisplayName("by hand, with a gap after step 1: no advantage carries across, V_1 stands in for its successor")
    void withGap() {
      Gae.Result r = Gae.compute(new float[] {1, 0, 2}, new float[] {0.5f, 1, 0, 0.5f},
          new boolean[] {false, true, false}, 0.9, 0.8);
      // A2 = 2.45 as before; δ1 = 0 + 0.9·1.0 − 1.0 = −0.1, A1 = −0.1 (nothing from A2);
      // δ0 = 1 + 0.9·1.0 − 0.5 = 1.4, A0 = 1.4 + 0.72·(−0.1) = 1.328
      assertThat(r.advantages()).containsExactly(new double[] {1.328, -0.1, 2.45}, within(1e-6));
      assertThat(r.returns()).containsExactly(new double[] {1.828, 0.9, 2.45}, within(1e-6));
    }

    @Test
    @DisplayName("golden: six steps, γ 0.99, λ 0.95")
    void golden() {
      JsonObject g = Golden.section("gae");
      Gae.Result r = Gae.compute(Golden.floats(g, "rewards"), Golden.floats(g, "values_with_bootstrap"),
          g.getDouble("gamma"), g.getDouble("lambda"));
      float[] expectedA = Golden.floats(g, "advantages");
      float[] expectedR = Golden.floats(g, "returns");
      for (int t = 0; t < expectedA.length; t++) {
        close(r.advantages()[t], expectedA[t]);
        close(r.returns()[t], expectedR[t]);
      }
    }

    @Test
    @DisplayName("normalised advantages have mean 0 and (unbiased) standard deviation 1")
    void normalise() {
      float[] a = Gae.normalise(new double[] {1, 2, 3, 4});
      // mean 2.5, sample std sqrt(5/3)
      double std = Math.sqrt(5.0 / 3.0);
      assertThat(a).containsExactly(new float[] {(float) (-1.5 / std), (float) (-0.5 / std), (float) (0.5 / std),
          (float) (1.5 / std)}, within(1e-6f));
    }
  }

  @Nested
  @DisplayName("PPO's clipped loss")
  class Ppo {
    /** One sample, every part uniform (zero logits), advantage 1, value 1 → return 2, old value 0. */
    private PpoLoss.Parts oneSample(float[] oldLogp) {
      float[] actions = new float[13];
      ActionHeads.oneHot(new int[] {2, 0, 1, 1, 0}, actions, 0);
      return PpoLoss.compute(m.zeros(new Shape(1, 13)), m.create(actions, new Shape(1, 13)),
          m.create(oldLogp, new Shape(1, 5)), m.create(new float[] {1}), m.create(new float[] {1}),
          m.create(new float[] {0}), m.create(new float[] {2}), 0.1, 0.1, 0.5, 0.001);
    }

    @Test
    @DisplayName("by hand: equal policies give ratio 1; a ratio of 1.5 on one part is clipped to 1.1")
    void byHand() {
      float ln3 = (float) Math.log(3);
      float ln2 = (float) Math.log(2);
      PpoLoss.Parts same = oneSample(new float[] {-ln3, -ln3, -ln3, -ln2, -ln2});
      close(same.logp().toFloatArray(), new float[] {-ln3, -ln3, -ln3, -ln2, -ln2});
      close(same.ratio().toFloatArray(), new float[] {1, 1, 1, 1, 1});
      close(same.policy().getFloat(), -1.0);
      double entropy = (3 * Math.log(3) + 2 * Math.log(2)) / 5;
      close(same.entropy().getFloat(), entropy);
      // v_c = 0 + clip(1 - 0, ±0.1) = 0.1: max((1-2)², (0.1-2)²) = 3.61
      close(same.value().getFloat(), 3.61);
      close(same.total().getFloat(), -1.0 + 0.5 * 3.61 - 0.001 * entropy);

      float older = -ln3 - (float) Math.log(1.5); // the new policy is 1.5x likelier on part 0
      PpoLoss.Parts clipped = oneSample(new float[] {older, -ln3, -ln3, -ln2, -ln2});
      close(clipped.ratio().toFloatArray()[0], 1.5);
      close(clipped.policy().getFloat(), -(1.1 + 4) / 5);
      // one ratio of five is outside 1 ± 0.1; KL's k3 estimate is (1.5 − 1 − ln 1.5) / 5 over the five parts
      close(clipped.clipFraction().getFloat(), 0.2);
      close(clipped.approxKl().getFloat(), (0.5 - Math.log(1.5)) / 5);
      close(same.clipFraction().getFloat(), 0);
      close(same.approxKl().getFloat(), 0);
      float[] d = clipped.diagnostics().toFloatArray();
      close(d[PpoLoss.CLIP_FRAC], 0.2);
      close(d[PpoLoss.VALUE_MEAN], 1);
      close(d[PpoLoss.RETURN_MEAN], 2);
      close(d[PpoLoss.ENTROPY], Math.log(3));
      close(d[PpoLoss.ENTROPY + 4], Math.log(2));
    }

    @Test
    @DisplayName("by hand: without a value clip the value loss is the plain mean squared error")
    void unclippedValue() {
      float ln3 = (float) Math.log(3);
      float ln2 = (float) Math.log(2);
      float[] actions = new float[13];
      ActionHeads.oneHot(new int[] {2, 0, 1, 1, 0}, actions, 0);
      PpoLoss.Parts p = PpoLoss.compute(m.zeros(new Shape(1, 13)), m.create(actions, new Shape(1, 13)),
          m.create(new float[] {-ln3, -ln3, -ln3, -ln2, -ln2}, new Shape(1, 5)), m.create(new float[] {1}),
          m.create(new float[] {1}), m.create(new float[] {0}), m.create(new float[] {2}), 0.1, 0, 0.25, 0.001);
      close(p.value().getFloat(), 1.0); // (1 − 2)², where the clipped value 0.1 would have made it 3.61
      double entropy = (3 * Math.log(3) + 2 * Math.log(2)) / 5;
      close(p.total().getFloat(), -1.0 + 0.25 * 1.0 - 0.001 * entropy);
    }

    /** The golden heads' logits side by side, (B,13) row-major. */
    private float[] goldenLogits(JsonObject g) {
      int b = g.getJsonArray("actions").size();
      float[] logits = new float[b * 13];
      JsonArray heads = g.getJsonArray("logits_per_head");
      for (int h = 0; h < 5; h++) {
        JsonArray head = heads.getJsonArray(h);
        int n = ActionHeads.SIZES[h];
        for (int s = 0; s < b; s++) {
          for (int k = 0; k < n; k++) {
            logits[s * 13 + ActionHeads.offset(h) + k] = head.getNumber(s * n + k).floatValue();
          }
        }
      }
      return logits;
    }

    /** The golden actions one-hot, (B,13). */
    private float[] goldenActions(JsonObject g) {
      int b = g.getJsonArray("actions").size();
      float[] actions = new float[b * 13];
      for (int s = 0; s < b; s++) {
        JsonArray a = g.getJsonArray("actions").getJsonArray(s);
        int[] parts = new int[5];
        for (int h = 0; h < 5; h++) {
          parts[h] = a.getInteger(h);
        }
        ActionHeads.oneHot(parts, actions, s * 13);
      }
      return actions;
    }

    @Test
    @DisplayName("golden: four samples, five heads; per-part log-probabilities and ratios, loss pieces")
    void golden() {
      JsonObject g = Golden.section("ppo");
      int b = g.getJsonArray("actions").size();
      float[] logits = goldenLogits(g);
      float[] actions = goldenActions(g);
      double clip = g.getDouble("clip");
      PpoLoss.Parts p = PpoLoss.compute(m.create(logits, new Shape(b, 13)), m.create(actions, new Shape(b, 13)),
          m.create(Golden.floats(g, "old_logp"), new Shape(b, 5)), m.create(Golden.floats(g, "advantages_normalised")),
          m.create(Golden.floats(g, "values")), m.create(Golden.floats(g, "old_values")),
          m.create(Golden.floats(g, "returns")), clip, clip, 0.5, 0.001);
      close(p.logp().toFloatArray(), Golden.floats(g, "logp"));
      close(p.ratio().toFloatArray(), Golden.floats(g, "ratio"));
      close(p.policy().getFloat(), g.getDouble("policy_loss"));
      close(p.entropy().getFloat(), g.getDouble("entropy_mean"));
      close(p.value().getFloat(), g.getDouble("value_loss_clipped_max_mse"));
      close(p.total().getFloat(), g.getDouble("policy_loss") + 0.5 * g.getDouble("value_loss_clipped_max_mse")
          - 0.001 * g.getDouble("entropy_mean"));
    }

    @Test
    @DisplayName("golden: the default weighting (no value clip, vf 0.25), entropy per part, clip fraction, KL")
    void goldenDiagnostics() {
      JsonObject g = Golden.section("ppo");
      JsonObject d = Golden.section("ppo_diagnostics");
      PpoLoss.Parts p = unclipped(g, d.getDouble("vf_coef"), d.getDouble("ent_coef"), null);
      close(p.value().getFloat(), d.getDouble("value_loss_unclipped_mse"));
      close(p.total().getFloat(), d.getDouble("total_unclipped"));
      close(p.entropyPerPart().toFloatArray(), Golden.floats(d, "entropy_per_part"));
      close(p.clipFraction().getFloat(), d.getDouble("clip_frac"));
      close(p.approxKl().getFloat(), d.getDouble("approx_kl"));
    }

    @Test
    @DisplayName("golden + by hand: a weight per part makes the bonus mean_5(w · H(part)); equal weights are entCoef")
    void perPartWeights() {
      JsonObject g = Golden.section("ppo");
      JsonObject d = Golden.section("ppo_diagnostics");
      float[] weights = {0.01f, 0f, 0.002f, 0.1f, 1e-5f};
      PpoLoss.Parts p = unclipped(g, d.getDouble("vf_coef"), 0, weights);
      JsonArray h = d.getJsonArray("entropy_per_part");
      double bonus = 0;
      for (int k = 0; k < 5; k++) {
        bonus += weights[k] * h.getDouble(k) / 5;
      }
      close(p.total().getFloat(), d.getDouble("policy_loss") + d.getDouble("vf_coef")
          * d.getDouble("value_loss_unclipped_mse") - bonus);
      float c = d.getDouble("ent_coef").floatValue();
      PpoLoss.Parts same = unclipped(g, d.getDouble("vf_coef"), 0, new float[] {c, c, c, c, c});
      close(same.total().getFloat(), d.getDouble("total_unclipped"));
    }

    /** The golden inputs without a value clip; the entropy bonus fixed ({@code weights} null) or per part. */
    private PpoLoss.Parts unclipped(JsonObject g, double vfCoef, double entCoef, float[] weights) {
      int b = g.getJsonArray("actions").size();
      NDArray logits = m.create(goldenLogits(g), new Shape(b, 13));
      NDArray actions = m.create(goldenActions(g), new Shape(b, 13));
      NDArray oldLogp = m.create(Golden.floats(g, "old_logp"), new Shape(b, 5));
      NDArray advantages = m.create(Golden.floats(g, "advantages_normalised"));
      NDArray values = m.create(Golden.floats(g, "values"));
      NDArray oldValues = m.create(Golden.floats(g, "old_values"));
      NDArray returns = m.create(Golden.floats(g, "returns"));
      double clip = g.getDouble("clip");
      return PpoLoss.compute(logits, actions, oldLogp, advantages, values, oldValues, returns, clip, 0, vfCoef,
          entCoef, weights);
    }
  }

  @Nested
  @DisplayName("the entropy target (a weight per action part, adapted in log space)")
  class EntropyWeights {
    @Test
    @DisplayName("by hand: target 0.5 of ln n, rate 0.1, from 0.001; one minibatch's entropies move each log-weight")
    void byHand() {
      EntropyTarget t = new EntropyTarget(0.5, 0.1, 0.001);
      assertThat(t.adaptive()).isTrue();
      close(t.target(0), 0.5 * Math.log(3));
      close(t.target(3), 0.5 * Math.log(2));
      // shortfalls (0.5 ln n − H) / ln n: 0.5, 0.25, −0.5, 0, −0.5
      t.observe(new float[] {0, (float) (0.25 * Math.log(3)), (float) Math.log(3), (float) (0.5 * Math.log(2)),
          (float) Math.log(2)});
      float[] w = t.weights();
      close(w[0], 0.001 * Math.exp(0.05));
      close(w[1], 0.001 * Math.exp(0.025));
      close(w[2], 0.001); // above the target: it would fall to 0.001 · e^−0.05, but ent_coef is the floor
      close(w[3], 0.001);
      close(w[4], 0.001);
      close(t.meanWeight(), 0.001 * (Math.exp(0.05) + Math.exp(0.025) + 3) / 5);
      // a second minibatch, Vertical now at the target: only the others move
      t.observe(new float[] {(float) (0.5 * Math.log(3)), 0, 0, 0, 0});
      close(t.weights()[0], 0.001 * Math.exp(0.05));
      close(t.weights()[1], 0.001 * Math.exp(0.025 + 0.05));
      close(t.weights()[3], 0.001 * Math.exp(0.05));
      float[] before = t.weights().clone();
      t.observe(new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN});
      assertThat(t.weights()).as("a non-finite entropy moves nothing").containsExactly(before);
    }

    @Test
    @DisplayName("the weights stay within [ent_coef, 0.1]; a fixed weight never moves; the state round-trips")
    void boundsFixedAndState() {
      EntropyTarget t = new EntropyTarget(0.9, 1, 0.001);
      float[] none = {0, 0, 0, 0, 0};
      float[] full = {(float) Math.log(3), (float) Math.log(3), (float) Math.log(3), (float) Math.log(2),
          (float) Math.log(2)};
      for (int i = 0; i < 100; i++) {
        t.observe(none);
      }
      close(t.weights()[0], EntropyTarget.MAX);
      EntropyTarget u = new EntropyTarget(0.9, 0.5, 0.001);
      for (int i = 0; i < 1000; i++) {
        u.observe(full);
      }
      close(u.weights()[4], 0.001); // above the target for good: the configured weight, never less

      EntropyTarget restored = new EntropyTarget(0.9, 1, 0.001);
      restored.restore(t.state());
      assertThat(restored.weights()).containsExactly(t.weights());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> restored.restore(new double[] {0, 0, 0, 0,
          Double.NaN})).isInstanceOf(IllegalArgumentException.class);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> restored.restore(new double[3]))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(restored.weights()).as("a refused state changes nothing").containsExactly(t.weights());

      EntropyTarget fixed = new EntropyTarget(0, 1, 0.001);
      fixed.observe(none);
      fixed.restore(t.state());
      assertThat(fixed.weights()).containsOnly(0.001f);
      assertThat(fixed.state()).as("finite, so a snapshot holding it passes the finiteness check")
          .containsOnly(Math.log(0.001));
    }
  }

  @Nested
  @DisplayName("the reward normaliser (running std of the discounted return)")
  class Normaliser {
    @Test
    @DisplayName("by hand: γ 0.5, one rollout [1, 2]: returns 1 and 2.5 merged into the initial moments")
    void byHand() {
      RewardNormaliser n = new RewardNormaliser(0.5, 0);
      float[] out = n.normalise(new float[] {1, 2});
      // batch mean 1.75, population variance 0.5625; merged with count 1e-4, mean 0, variance 1:
      double total = 2.0001;
      double mean = 1.75 * 2 / total;
      double var = (1e-4 + 0.5625 * 2 + 1.75 * 1.75 * 1e-4 * 2 / total) / total;
      assertThat(n.state().count()).isCloseTo(total, within(1e-12));
      assertThat(n.state().mean()).isCloseTo(mean, within(1e-12));
      assertThat(n.state().variance()).isCloseTo(var, within(1e-12));
      assertThat(n.state().discounted()).isCloseTo(2.5, within(1e-12));
      double std = Math.sqrt(var + 1e-8);
      close(out, new float[] {(float) (1 / std), (float) (2 / std)});
      // the return goes on from 2.5 in the next rollout: 0.5 * 2.5 + 4
      n.update(new float[] {4});
      assertThat(n.state().discounted()).isCloseTo(5.25, within(1e-12));
    }

    @Test
    @DisplayName("golden: two rollouts, scaled and clipped rewards and the state after them; the state round-trips")
    void golden() {
      JsonObject g = Golden.section("reward_normaliser");
      RewardNormaliser n = new RewardNormaliser(g.getDouble("gamma"), g.getDouble("clip"));
      JsonArray rollouts = g.getJsonArray("rollouts");
      for (int i = 0; i < rollouts.size(); i++) {
        JsonArray r = rollouts.getJsonArray(i);
        float[] rewards = new float[r.size()];
        for (int t = 0; t < rewards.length; t++) {
          rewards[t] = r.getNumber(t).floatValue();
        }
        JsonArray want = g.getJsonArray("scaled").getJsonArray(i);
        float[] expected = new float[want.size()];
        for (int t = 0; t < expected.length; t++) {
          expected[t] = want.getNumber(t).floatValue();
        }
        close(n.normalise(rewards), expected);
      }
      JsonObject after = g.getJsonObject("state_after");
      close(n.state().discounted(), after.getDouble("discounted"));
      close(n.state().count(), after.getDouble("count"));
      close(n.state().mean(), after.getDouble("mean"));
      close(n.state().variance(), after.getDouble("variance"));

      RewardNormaliser restored = new RewardNormaliser(g.getDouble("gamma"), g.getDouble("clip"));
      restored.restore(n.state());
      assertThat(restored.std()).isEqualTo(n.std());
      assertThat(restored.scale(new float[] {1, 100})).containsExactly(n.scale(new float[] {1, 100}));
    }

    @Test
    @DisplayName("a state that is not finite is refused, the old one kept")
    void refusesNonsense() {
      RewardNormaliser n = new RewardNormaliser(0.99, 5);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> n.restore(
          new RewardNormaliser.State(Double.NaN, 1, 0, 1))).isInstanceOf(IllegalArgumentException.class);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> n.restore(
          new RewardNormaliser.State(0, 0, 0, 1))).isInstanceOf(IllegalArgumentException.class);
      assertThat(n.state()).isEqualTo(RewardNormaliser.State.INITIAL);
    }
  }

  @Nested
  @DisplayName("advantage normalisation per minibatch")
  class MinibatchAdvantages {
    @Test
    @DisplayName("by hand: [1, 2, 3] in place becomes [-1, 0, 1] (unbiased std 1), the rest untouched")
    void byHand() {
      float[] a = {9, 1, 2, 3, 9};
      Gae.normaliseInPlace(a, 1, 3);
      assertThat(a).containsExactly(new float[] {9, -1, 0, 1, 9}, within(1e-6f));
      assertThat(Gae.std(new double[] {1, 2, 3})).isCloseTo(1.0, within(1e-12));
    }
  }

  @Nested
  @DisplayName("the VAE's KL term")
  class Kl {
    @Test
    @DisplayName("closed form by hand: 0 at the prior, ½μ² for a shifted mean, ½(σ² − 1 − 2 log σ) for a scaled one")
    void byHand() {
      close(VaeLoss.kl(m.create(new float[] {0, 0}), m.create(new float[] {1, 1})).getFloat(), 0);
      close(VaeLoss.kl(m.create(new float[] {1, 1}), m.create(new float[] {1, 1})).getFloat(), 0.5);
      double e = Math.E;
      close(VaeLoss.kl(m.create(new float[] {0}), m.create(new float[] {(float) e})).getFloat(), 0.5 * (e * e - 3));
    }

    @Test
    @DisplayName("golden: mean over a 2x5 batch")
    void golden() {
      JsonObject g = Golden.section("vae_kl");
      close(VaeLoss.kl(m.create(Golden.floats(g, "mu")), m.create(Golden.floats(g, "sigma"))).getFloat(),
          g.getDouble("kl_mean"));
    }
  }

  @Nested
  @DisplayName("the curiosity reward: Gaussian NLL with σ = 1/√(2π)")
  class Reward {
    @Test
    @DisplayName("by hand: with σ = 1/√(2π) the NLL is π·MSE; with σ = 1 it is ½·MSE + ½ log 2π")
    void byHand() {
      float[] z = {1, 2};
      float[] mu = {0, 0};
      close(GaussianNll.mean(z, mu, GaussianNll.SIGMA), Math.PI * 2.5);
      close(GaussianNll.mean(z, mu, 1.0), 0.5 * 2.5 + 0.5 * Math.log(2 * Math.PI));
      close(GaussianNll.mean(m.create(z), m.create(mu), GaussianNll.SIGMA).getFloat(), Math.PI * 2.5);
    }

    @Test
    @DisplayName("golden: the NLL and π·MSE agree, on the Java and the native side")
    void golden() {
      JsonObject g = Golden.section("curiosity_reward");
      float[] z = Golden.floats(g, "z_next");
      float[] mu = Golden.floats(g, "mu_hat");
      close(GaussianNll.mean(z, mu, g.getDouble("sigma")), g.getDouble("nll_mean"));
      close(GaussianNll.mean(z, mu, GaussianNll.SIGMA), g.getDouble("pi_times_mse"));
      NDArray nll = GaussianNll.mean(m.create(z), m.create(mu), GaussianNll.SIGMA);
      close(nll.getFloat(), g.getDouble("nll_mean"));
    }
  }
}
