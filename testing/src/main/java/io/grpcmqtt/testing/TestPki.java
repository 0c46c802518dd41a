package io.grpcmqtt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * A throwaway public-key infrastructure for TLS tests, made at test time: a CA, a broker
 * certificate for {@code 127.0.0.1} and {@code localhost}, a broker certificate that names another
 * host, and a client certificate — EC P-256 keys, valid for a day, written as PEM files into a
 * temporary folder (which {@link #close()} deletes).
 *
 * <p>Nothing here is secret or long-lived: the keys exist only for one test run.
 * {@link #trustingContext()} and {@link #clientCertificateContext()} give the {@link SSLContext}s
 * a client needs.
 */
public final class TestPki implements AutoCloseable {

    /** Common name of the client certificate (Mosquitto's {@code use_identity_as_username} makes it the username). */
    public static final String CLIENT_COMMON_NAME = "grpc-mqtt-test-client";
    /** The only host the {@linkplain #misnamedServerCertificate() misnamed broker certificate} names. */
    public static final String MISNAMED_HOST = "misnamed.invalid";

    private static final Duration VALIDITY = Duration.ofDays(1);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final KeyPair clientKeys;
    private final X509Certificate client;

    private TestPki(Path dir) throws GeneralSecurityException, IOException, OperatorCreationException {
        this.dir = dir;
        caKeys = newKeyPair();
        ca = caCertificate(caKeys);
        write("ca.crt", ca);

        KeyPair serverKeys = newKeyPair();
        write("server.crt", leaf("CN=127.0.0.1", serverKeys, KeyPurposeId.id_kp_serverAuth,
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")));
        write("server.key", serverKeys.getPrivate());

        KeyPair misnamedKeys = newKeyPair();
        write("misnamed.crt", leaf("CN=" + MISNAMED_HOST, misnamedKeys, KeyPurposeId.id_kp_serverAuth,
                new GeneralName(GeneralName.dNSName, MISNAMED_HOST)));
        write("misnamed.key", misnamedKeys.getPrivate());

        clientKeys = newKeyPair();
        client = leaf("CN=" + CLIENT_COMMON_NAME, clientKeys, KeyPurposeId.id_kp_clientAuth);
        write("client.crt", client);
        write("client.key", clientKeys.getPrivate());
    }

    /** Makes a new CA and its certificates in a new temporary folder. */
    public static TestPki generate() {
        Path dir;
        try {
            dir = Files.createTempDirectory("grpc-mqtt-pki-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for the test PKI", e);
        }
        try {
            return new TestPki(dir);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            Loopback.deleteRecursively(dir);
            throw new IllegalStateException("Cannot generate the test PKI", e);
        } catch (IOException e) {
            Loopback.deleteRecursively(dir);
            throw new UncheckedIOException("Cannot write the test PKI to " + dir, e);
        }
    }

    /** The CA certificate (PEM): Mosquitto's {@code cafile}, and what clients trust. */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** The broker certificate (PEM), for {@code 127.0.0.1} and {@code localhost}. */
    public Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    /** The broker certificate's private key (PKCS#8 PEM). */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** A broker certificate (PEM) signed by the same CA that names only {@link #MISNAMED_HOST}. */
    public Path misnamedServerCertificate() {
        return dir.resolve("misnamed.crt");
    }

    /** The misnamed certificate's private key (PKCS#8 PEM). */
    public Path misnamedServerKey() {
        return dir.resolve("misnamed.key");
    }

    /** The client certificate (PEM), common name {@link #CLIENT_COMMON_NAME}. */
    public Path clientCertificate() {
        return dir.resolve("client.crt");
    }

    /** The client certificate's private key (PKCS#8 PEM). */
    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** TLS that trusts only this CA and presents no client certificate. */
    public SSLContext trustingContext() {
        return sslContext(false);
    }

    /** TLS that trusts only this CA and presents the client certificate. */
    public SSLContext clientCertificateContext() {
        return sslContext(true);
    }

    /** Deletes the folder with the keys. */
    @Override
    public void close() {
        Loopback.deleteRecursively(dir);
    }

    /** Trust managers that trust only this CA (for a client library that takes no SSLContext). */
    public TrustManagerFactory trustManagers() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("test-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            return tmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot build trust managers from the test PKI", e);
        }
    }

    /** Key managers that present the client certificate. */
    public KeyManagerFactory clientKeyManagers() {
        try {
            char[] password = "test".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", clientKeys.getPrivate(), password, new Certificate[] {client, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            return kmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot build key managers from the test PKI", e);
        }
    }

    private SSLContext sslContext(boolean withClientCertificate) {
        try {
            KeyManagerFactory kmf = withClientCertificate ? clientKeyManagers() : null;
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), trustManagers().getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot build an SSLContext from the test PKI", e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate caCertificate(KeyPair keys)
            throws GeneralSecurityException, IOException, OperatorCreationException {
        X500Name name = new X500Name("CN=grpc-mqtt test CA");
        X509v3CertificateBuilder builder = builder(name, name, keys);
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
        return sign(builder, keys.getPrivate());
    }

    private X509Certificate leaf(String subject, KeyPair keys, KeyPurposeId purpose, GeneralName... altNames)
            throws GeneralSecurityException, IOException, OperatorCreationException {
        X509v3CertificateBuilder builder =
                builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), new X500Name(subject), keys);
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
        if (altNames.length > 0) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames));
        }
        return sign(builder, caKeys.getPrivate());
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(64, new SecureRandom()).setBit(63),
                Date.from(now.minus(Duration.ofHours(1))), // tolerate a little clock skew
                Date.from(now.plus(VALIDITY)),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    }

    private void write(String name, X509Certificate certificate) throws IOException {
        try (Writer out = Files.newBufferedWriter(dir.resolve(name), StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(certificate);
        }
    }

    /** Writes a key as unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), which OpenSSL and Mosquitto read. */
    private void write(String name, PrivateKey key) throws IOException {
        PemObjectGenerator pkcs8 = new JcaPKCS8Generator(key, null);
        try (Writer out = Files.newBufferedWriter(dir.resolve(name), StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(pkcs8);
        }
    }
}
