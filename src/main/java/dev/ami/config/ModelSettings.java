package dev.ami.config;

import java.util.List;
import java.util.Map;

/**
 * The keys of the models and their trainers: the preset, the curiosity agent's three models ({@code vae.*},
 * {@code fd.*}, {@code policy.*}), its reward, the step-1 autoencoder ({@code ae.*}) and the shared
 * training schedule ({@code trainer.*}). Defaults are ami's (docs/models.md); {@code conf/models/} holds the
 * presets.
 */
final class ModelSettings {
  /** The presets in conf/models/, by name. */
  static final List<String> PRESETS = List.of("curiosity", "curiosity-small", "curiosity-large", "autoencoder");

  private ModelSettings() {
  }

  static void addTo(Map<String, Setting> s) {
    add(s, Setting.choice("model.preset", "curiosity", PRESETS,
        "model preset (conf/models/NAME.yaml), applied after conf/ami.yaml and before the env preset"));
    add(s, Setting.choice("model.kind", "curiosity", List.of("curiosity", "autoencoder"),
        "which agent runs: curiosity (VAE + forward dynamics + PPO) or autoencoder (step 1, random policy)"));
    add(s, Setting.intRange("model.input_size", 84, 16, 256,
        "side of the square RGB frame the models see (curiosity: >= 36; autoencoder: a multiple of 8)"));

    add(s, Setting.intRange("vae.latent", 512, 1, 8192, "size of the latent z the encoder gives the other models"));
    add(s, Setting.intRange("vae.channels", 32, 1, 512, "SmallConvNet width of the encoder (c, 2c, 2c)"));
    add(s, Setting.intRange("vae.decoder_channels", 128, 2, 1024, "widths of the decoder's upsamplings (d, d/2)"));
    add(s, Setting.doubleRange("vae.kl_weight", 0.01, 0.0, 100.0, "weight of the KL term in the VAE loss"));
    trainerKeys(s, "vae", 8, 1e-3, 0.0, 3, 2048, 8, 128, 64, 10);

    add(s, Setting.choice("fd.kind", "sconv", java.util.List.of("sconv", "resnet"),
        "the forward model: sconv (ami's SConv recurrence) or resnet (the predecessor's stateless ResNetFD)"));
    add(s, Setting.intRange("fd.depth", 4, 1, 64, "SConv (or ResNetFD residual) blocks in the forward model"));
    add(s, Setting.intRange("fd.width", 512, 1, 8192, "channels of the SConv blocks (the hidden state is depth x width, complex)"));
    add(s, Setting.intRange("fd.ffn", 512, 1, 32768, "feed-forward width inside each SConv block"));
    add(s, Setting.doubleRange("fd.dropout", 0.1, 0.0, 0.9, "dropout in the SConv blocks while training"));
    add(s, Setting.intRange("fd.action_embed", 8, 1, 256, "embedding dims per action part (5 parts)"));
    add(s, Setting.intRange("fd.window", 8, 1, 512, "steps per training window (plus one for the last target)"));
    add(s, Setting.intRange("fd.windows_per_epoch", 256, 1, 1_000_000,
        "random windows per epoch (ami: 256 for a buffer of 2048)"));
    trainerKeys(s, "fd", 0, 1e-4, 0.01, 3, 2048, 64, 128, 64, 10);

    add(s, Setting.intRange("policy.channels", 32, 1, 512, "SmallConvNet width of the policy network"));
    add(s, Setting.intRange("policy.hidden", 512, 1, 8192, "width of the policy network's two hidden layers"));
    add(s, Setting.intRange("policy.rollout", 128, 2, 100_000, "steps per PPO rollout (one more bootstraps)"));
    add(s, Setting.doubleRange("policy.gamma", 0.99, 0.0, 1.0, "discount"));
    add(s, Setting.doubleRange("policy.lambda", 0.95, 0.0, 1.0, "GAE lambda"));
    add(s, Setting.doubleRange("policy.clip", 0.1, 0.0, 10.0, "PPO clip range of the probability ratio"));
    add(s, Setting.doubleRange("policy.value_clip", 0.0, 0.0, 1e6,
        "clip range of the value around its acting-time estimate; 0 = no value clip (docs/models.md)"));
    add(s, Setting.doubleRange("policy.vf_coef", 0.25, 0.0, 100.0,
        "weight of the value loss mean((v - R)^2); 0.25 is ami's 0.5 * 0.5"));
    add(s, Setting.doubleRange("policy.ent_coef", 0.001, 0.0, 100.0,
        "weight of the entropy bonus (with policy.target_entropy: each part's starting and least weight)"));
    add(s, Setting.doubleRange("policy.target_entropy", 0.6, 0.0, 0.99,
        "entropy each action part is held at, as a share of its largest (ln n), by adapting its bonus weight; "
            + "0 = the fixed policy.ent_coef"));
    add(s, Setting.doubleRange("policy.ent_coef_rate", 0.01, 0.0, 10.0,
        "with policy.target_entropy: the log-weight's step per minibatch per unit of shortfall"));
    add(s, Setting.doubleRange("policy.max_grad_norm", 0.5, 0.0, 1e6,
        "clip the global L2 norm of the policy's gradients to this; 0 = no clipping"));
    add(s, Setting.choice("policy.adv_norm", "minibatch", java.util.List.of("minibatch", "rollout"),
        "normalise advantages to mean 0, std 1 per minibatch (ami) or over the whole rollout"));
    add(s, Setting.intRange("policy.batch", 8, 1, 4096, "minibatch size"));
    add(s, Setting.intRange("policy.epochs", 3, 1, 1000, "passes over each rollout"));
    add(s, Setting.doubleRange("policy.lr", 1e-4, 1e-8, 1.0, "AdamW learning rate"));
    add(s, Setting.doubleRange("policy.weight_decay", 0.01, 0.0, 1.0, "AdamW weight decay"));
    add(s, Setting.intRange("policy.publish_every", 16, 1, 1_000_000, "steps between publishes inside an update"));
    add(s, Setting.intRange("policy.buffer", 1024, 3, 1_000_000,
        "most steps kept waiting for PPO; beyond it the oldest are dropped (counted)"));

    add(s, Setting.doubleRange("reward.scale", 1.0, -1e6, 1e6, "curiosity reward = scale * forward-model NLL + shift"));
    add(s, Setting.doubleRange("reward.shift", 0.0, -1e6, 1e6, "added to the scaled NLL"));
    add(s, Setting.choice("reward.features", "vae", java.util.List.of("vae", "random"),
        "latent space of the forward model and its reward: the trained VAE's, or a fixed random encoder (Burda et al."
            + " 2018; no VAE is trained then, and the console has no expected frame)"));
    add(s, Setting.intRange("reward.episodic_memory", 0, 0, 100_000,
        "NGU's episodic novelty: the reward is how unlike the last N views this one is (k=10 nearest), times the"
            + " forward model's surprise relative to its usual level (in [1, 5]); 0 = the forward model's surprise"
            + " alone"));
    add(s, Setting.intRange("reward.episodic_mean_ticks", 6000, 1, 10_000_000,
        "with reward.episodic_memory > 0, the horizon in views of the running mean of neighbour distances the novelty"
            + " is scaled by: long (6000, ten minutes at 10 Hz) keeps the scale of the places explored, so a loop the"
            + " agent runs scores low; short (100) adapts to the loop, whose views then keep scoring as new"));
    add(s, Setting.intRange("reward.count_bits", 0, 0, 20,
        "lifelong counts of views (Tang et al. 2017): the reward is 1/sqrt(n) for the n-th view whose 12x12 block"
            + " means hash to the same signs of this many random projections, times the forward model's surprise"
            + " relative to its usual level (in [1, 5]); fewer bits, coarser codes; 0 = off (not with"
            + " reward.episodic_memory)"));
    add(s, Setting.choice("reward.encoder", "paired", java.util.List.of("paired", "newest"),
        "with reward.features=vae, the encoder the agent's latents come from: paired = the one that came with the"
            + " forward model's snapshot, the encoder it was trained against (one latent space for prediction and"
            + " target); newest = the VAE's newest, which the forward model in use may never have seen"));
    add(s, Setting.bool("reward.skip_encoder_swaps", true,
        "a step whose reward would compare latents of two encoder versions (a swap of the encoder between its"
            + " ticks: with reward.encoder=paired, of the forward model) is kept from PPO (it still trains the"
            + " encoder and the forward model)"));
    add(s, Setting.bool("reward.normalize", true,
        "PPO sees the reward divided by a running std of its discounted return (Burda et al. 2018)"));
    add(s, Setting.doubleRange("reward.clip", 5.0, 0.0, 1e6,
        "normalised rewards are clipped to +-this before GAE; 0 = no clip"));

    add(s, Setting.intRange("ae.channels", 32, 1, 512, "autoencoder: width of the first conv stage; later stages double it"));
    add(s, Setting.intRange("ae.latent", 256, 1, 8192, "autoencoder: size of the latent vector"));
    add(s, Setting.intRange("ae.batch", 32, 1, 4096, "autoencoder: minibatch size"));
    add(s, Setting.doubleRange("ae.lr", 1e-3, 1e-7, 1.0, "autoencoder: Adam learning rate"));
    add(s, Setting.intRange("ae.buffer", 2048, 1, 1_000_000, "autoencoder: frames kept; when full a random old one is replaced"));
    add(s, Setting.intRange("ae.min_buffer", 64, 1, 1_000_000, "autoencoder: frames needed before training starts"));
    add(s, Setting.intRange("ae.min_new", 1, 0, 1_000_000,
        "autoencoder: new frames needed before the next run of publish_every steps (0 = train flat out)"));
    add(s, Setting.intRange("ae.publish_every", 10, 1, 1_000_000, "autoencoder: steps per run; each run publishes"));

    add(s, Setting.intRange("trainer.slice_ms", 250, 1, 60_000,
        "longest a trainer keeps the training thread before the next model's turn (at least one step)"));
    add(s, Setting.intRange("trainer.max_bad_losses", 5, 1, 1000,
        "non-finite losses in a row before a model rolls back to its last published snapshot"));
    add(s, Setting.longValue("trainer.seed", 7,
        "seed of initialisation and data sampling; unless given, system.seed + 6"));
    add(s, Setting.intRange("trainer.restart_delay_ms", 1000, 1, 3_600_000,
        "a crashed trainer starts again after this, doubling with each crash inside the window"));
    add(s, Setting.intRange("trainer.restart_max_ms", 60_000, 1, 3_600_000, "longest wait before a restart"));
    add(s, Setting.intRange("trainer.restart_budget", 5, 0, 1000,
        "crashes inside the window that are restarted; one more and the trainer stays failed"));
    add(s, Setting.intRange("trainer.restart_window_s", 600, 1, 86_400, "the window the restart budget counts in"));
  }

  /** The schedule keys of a model with a buffer of its own; batch 0 means the section has no batch key. */
  private static void trainerKeys(Map<String, Setting> s, String m, int batch, double lr, double weightDecay,
                                  int epochs, int buffer, int minBuffer, int minNew, int publishEvery,
                                  double clipMedians) {
    if (batch > 0) {
      add(s, Setting.intRange(m + ".batch", batch, 1, 4096, "minibatch size"));
    }
    add(s, Setting.doubleRange(m + ".lr", lr, 1e-8, 1.0, "Adam(W) learning rate"));
    add(s, Setting.doubleRange(m + ".weight_decay", weightDecay, 0.0, 1.0,
        "AdamW's decoupled weight decay; 0 = torch.optim.Adam"));
    add(s, Setting.intRange(m + ".epochs", epochs, 1, 1000, "passes over the data per run"));
    add(s, Setting.intRange(m + ".buffer", buffer, 1, 1_000_000, "capacity of the model's buffer"));
    add(s, Setting.intRange(m + ".min_buffer", minBuffer, 1, 1_000_000, "samples needed before the first run"));
    add(s, Setting.intRange(m + ".min_new", minNew, 0, 1_000_000,
        "new samples needed since the last run began before the next (0 = train flat out)"));
    add(s, Setting.intRange(m + ".publish_every", publishEvery, 0, 1_000_000,
        "steps between publishes inside a run; every run's end publishes too; 0 = only at a run's end (ami)"));
    add(s, Setting.doubleRange(m + ".max_grad_norm", 0.0, 0.0, 1e6,
        "clip the global L2 norm of the model's gradients to this; 0 = no clipping"));
    add(s, Setting.doubleRange(m + ".clip_medians", clipMedians, 0.0, 1e6,
        "clip the global L2 norm of each update's gradients to this many times the median of the last 256"
            + " (adaptive, after the first 32 steps); 0 = no adaptive clipping"));
  }

  /** Rules across these keys; called from {@link CrossChecks}. */
  static void verify(AmiConfig c) {
    if (c.getInt("reward.episodic_memory") > 0 && c.getInt("reward.count_bits") > 0) {
      throw new ConfigException("reward.episodic_memory and reward.count_bits are two novelties for the same place in"
          + " the reward: set one of them to 0");
    }
    if (c.getInt("policy.batch") < 2 && c.getString("policy.adv_norm").equals("minibatch")) {
      throw new ConfigException("policy.batch=1 with policy.adv_norm=minibatch normalises every advantage to 0 (no "
          + "policy gradient at all): use policy.batch >= 2 or policy.adv_norm=rollout");
    }
    double periodMs = 1000.0 / c.getInt("agent.hz");
    if (c.getDouble("agent.spin_ms") > 0.25 * periodMs) {
      // the agent runs at real-time priority on the CPU the event loops share: spinning most of each period
      // starves them (seen: agent.hz=1000 agent.spin_ms=2 blocked an event loop for 2 s)
      throw new ConfigException("agent.spin_ms (" + c.getDouble("agent.spin_ms") + ") must be at most a quarter of "
          + "the tick period (" + periodMs + " ms at agent.hz=" + c.getInt("agent.hz") + "): lower agent.spin_ms");
    }
    KindRules.of(c).verify(c);
    BufferMemory.verify(c);
  }

  private static void add(Map<String, Setting> settings, Setting s) {
    settings.put(s.key(), s);
  }
}
