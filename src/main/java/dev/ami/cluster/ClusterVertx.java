package dev.ami.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.TcpIpConfig;
import dev.ami.bus.Codecs;
import dev.ami.params.SnapshotCodecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** A clustered Vert.x on Hazelcast, joined over TCP-IP with the given members only. */
public final class ClusterVertx {
  private ClusterVertx() {
  }

  /** Starts a clustered Vert.x with {@code base}'s options (metrics) and the runtime's codecs. */
  public static Future<Vertx> start(ClusterOptions o, VertxOptions base) {
    Config hz = ConfigUtil.loadConfig(); // keeps the __vertx.* map settings the cluster manager needs
    hz.setClusterName(o.name());
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false"); // no calls home: the machine may have no network
    // a port given on purpose is kept: moving up would let a node join or found the wrong cluster silently
    hz.getNetworkConfig().setPort(o.port()).setPortAutoIncrement(o.port() == ClusterOptions.DEFAULT_PORT);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(o.bind());
    // listen on that interface only; Hazelcast's default binds every interface whatever the interfaces say
    hz.setProperty("hazelcast.socket.bind.any", "false");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    TcpIpConfig tcp = join.getTcpIpConfig().setEnabled(true);
    o.members().forEach(tcp::addMember);
    // set on the given instance: a copy would drop the Micrometer metrics options
    EventBusOptions bus = new EventBusOptions().setHost(o.bind()).setPort(o.busPort());
    if (o.tls() != null) {
      // mutual TLS: a peer must show a certificate of the cluster's CA to send to or receive from any address;
      // peers are checked against that CA alone (no hostname check: a node is who its certificate says)
      bus.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
          .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(o.tls().resolve("node.key").toString())
              .setCertPath(o.tls().resolve("node.crt").toString()))
          .setTrustOptions(new PemTrustOptions().addCertPath(o.tls().resolve("ca.crt").toString()));
    }
    VertxOptions options = base.setEventBusOptions(bus);
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
        .map(vertx -> {
          Codecs.registerAll(vertx.eventBus(), SnapshotCodecs.ALL);
          return vertx;
        });
  }
}
