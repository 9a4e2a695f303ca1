package dev.ami.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * The cluster's certificates ({@code cluster-init}): a certificate authority of its own, and for each node a key and
 * a certificate it signed, all PEM, made with Bouncy Castle's PKIX (no hand-written ASN.1). Nodes check each other
 * against that CA alone: whoever holds a certificate it signed belongs to the cluster, whatever address it has.
 *
 * <pre>
 *   DIR/ca.crt            the CA's certificate (give it to every node)
 *   DIR/ca.key            the CA's key: keep it apart, it makes new members (mode 600)
 *   DIR/NAME/node.key     the node's key (mode 600)
 *   DIR/NAME/node.crt     the node's certificate, CN and SAN NAME, for server and client authentication
 *   DIR/NAME/ca.crt       a copy of the CA's certificate
 * </pre>
 * Run again on an existing DIR, it reuses {@code ca.key} to add nodes and never overwrites a node's folder.
 */
public final class ClusterCerts {
  /** Node names become folder names: letters, digits, dots, dashes and underscores only. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration NODE_VALIDITY = Duration.ofDays(825);

  /** What an init did, for the command to report. */
  public record Outcome(boolean newCa, List<String> created, List<String> kept) {
  }

  private ClusterCerts() {
  }

  /** Makes (or reuses) the CA in {@code dir} and a folder per new node. */
  public static Outcome init(Path dir, List<String> nodes) throws IOException, GeneralSecurityException {
    for (String n : nodes) {
      if (!NAME.matcher(n).matches()) {
        throw new IllegalArgumentException("node name '" + n + "': use letters, digits, '.', '-' and '_' (it names a "
            + "folder and the certificate's CN)");
      }
    }
    Files.createDirectories(dir);
    Path caKey = dir.resolve("ca.key");
    Path caCrt = dir.resolve("ca.crt");
    boolean newCa = !Files.exists(caKey);
    PrivateKey caPrivate;
    X509CertificateHolder ca;
    if (newCa) {
      if (Files.exists(caCrt)) {
        throw new IllegalStateException(caCrt + " exists without ca.key: refusing to make a second CA beside it");
      }
      KeyPair kp = keyPair();
      ca = caCertificate(kp);
      caPrivate = kp.getPrivate();
      writeSecret(caKey, kp.getPrivate());
      writePem(caCrt, ca);
    } else {
      caPrivate = readKey(caKey);
      ca = readCertificate(caCrt);
    }
    List<String> created = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (String n : nodes) {
      Path node = dir.resolve(n);
      if (Files.exists(node)) {
        kept.add(n); // never overwritten: a running node may hold these very files
        continue;
      }
      Files.createDirectories(node);
      KeyPair kp = keyPair();
      writeSecret(node.resolve("node.key"), kp.getPrivate());
      writePem(node.resolve("node.crt"), nodeCertificate(n, kp, ca, caPrivate));
      Files.copy(caCrt, node.resolve("ca.crt"));
      created.add(n);
    }
    return new Outcome(newCa, List.copyOf(created), List.copyOf(kept));
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return g.generateKeyPair();
  }

  private static X509CertificateHolder caCertificate(KeyPair kp) throws GeneralSecurityException, IOException {
    X500Name subject = new X500Name("CN=ami cluster CA");
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(300)),
        Date.from(now.plus(CA_VALIDITY)), subject, kp.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
    return b.build(signer(kp.getPrivate()));
  }

  private static X509CertificateHolder nodeCertificate(String name, KeyPair kp, X509CertificateHolder ca,
                                                       PrivateKey caKey) throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.getSubject(), serial(),
        Date.from(now.minusSeconds(300)), Date.from(now.plus(NODE_VALIDITY)), new X500Name("CN=" + name),
        kp.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sanOf(name)));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
    b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
    return b.build(signer(caKey));
  }

  /** An IP literal is an IP address SAN, anything else a DNS name. */
  private static GeneralName sanOf(String name) {
    boolean ip = name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (ip) {
      try {
        InetAddress.getByName(name); // a literal: never a lookup
        return new GeneralName(GeneralName.iPAddress, name);
      } catch (IOException e) {
        // not a valid address after all: fall through to a DNS name
      }
    }
    return new GeneralName(GeneralName.dNSName, name);
  }

  private static ContentSigner signer(PrivateKey key) throws GeneralSecurityException {
    try {
      return new JcaContentSignerBuilder(SIGNATURE).build(key);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with " + SIGNATURE + ": " + e.getMessage(), e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, new SecureRandom());
  }

  private static void writePem(Path file, Object pem) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(pem);
    }
  }

  /** A private key as PKCS#8 PEM, readable by its owner only where the file system can say so. */
  private static void writeSecret(Path file, PrivateKey key) throws IOException {
    try { // created readable by its owner only: never a moment with the umask's permissions
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file); // Windows: the folder's ACL decides; docs/security.md says to keep ca.key apart
    }
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(new JcaPKCS8Generator(key, null));
    }
  }

  private static PrivateKey readKey(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      if (!(o instanceof PrivateKeyInfo info)) {
        throw new IOException(file + " is not a PKCS#8 private key");
      }
      return new JcaPEMKeyConverter().getPrivateKey(info);
    }
  }

  private static X509CertificateHolder readCertificate(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      if (!(o instanceof X509CertificateHolder c)) {
        throw new IOException(file + " is not a certificate");
      }
      return c;
    }
  }
}
