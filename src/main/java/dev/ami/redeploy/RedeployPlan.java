package dev.ami.redeploy;

import dev.ami.config.AmiConfig;
import dev.ami.params.TrainerState;
import java.util.List;

/**
 * What a redeploy will do, worked out before anything is deployed.
 *
 * @param next the config the new verticles run with
 * @param preview the preview's decoder is rebuilt too (the VAE's shapes changed under a new agent)
 * @param warnings what the user should know of the result (models that will not fit each other for a while)
 * @param from the checkpoint's training state the new trainer starts from, or null
 * @param fresh the new trainer starts from new random weights
 */
public record RedeployPlan(AmiConfig next, boolean agent, boolean trainer, boolean preview, List<String> warnings,
                           TrainerState from, boolean fresh) {
}
