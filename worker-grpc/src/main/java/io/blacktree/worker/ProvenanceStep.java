package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.BuildRequest;
import io.blacktree.worker.JobFailure.RegistryFailure;
import io.blacktree.worker.provenance.AttestationSigner;
import io.blacktree.worker.provenance.AttestationStore;
import io.blacktree.worker.provenance.DsseEnvelope;
import io.blacktree.worker.provenance.ProvenanceStatement;
import io.blacktree.worker.provenance.ProvenanceStatement.BaseImage;
import io.blacktree.worker.provenance.RegistryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Attaches a SLSA v1 provenance attestation to the image a job pushed, after the push and whatever built it: the
 * statement ({@link ProvenanceStatement}) names the pushed digest, the request's parameters (build-arg names only),
 * the commit, the base images by digest and this worker; {@link AttestationSigner} wraps it in a DSSE envelope
 * (signed when the worker holds a key) and {@link AttestationStore} stores it where cosign looks for it. A base
 * image's digest comes from its reference ({@code @sha256:...}), else the engine's RepoDigests of the image the
 * build used, else the registry (the registry credentials come from the worker's login, as for the push); one that none of them knows is listed without a digest and the log says so.
 * A registry failure fails the job like a push failure (the retry finds its image already pushed and attests).
 */
final class ProvenanceStep {
  /** What was attached: the attestation tag, the manifest's digest, whether it is signed and a referrer. */
  record Attested(String reference, String digest, boolean signed, boolean referrer) {}

  /** A Dockerfile larger than this is not read for base images (the build would have refused it long before). */
  private static final long MAX_DOCKERFILE_BYTES = 1 << 20;
  private final AttestationSigner signer;
  private final AttestationStore store;
  private final RegistryProbe probe;
  private final DockerClient docker;
  private final LoginStep login;
  private final String workerVersion;
  private final String workerId;

  ProvenanceStep(AttestationSigner signer, AttestationStore store, RegistryProbe probe, DockerClient docker,
      LoginStep login, String workerVersion, String workerId) {
    this.workerId = workerId;
    this.signer = signer;
    this.store = store;
    this.probe = probe;
    this.docker = docker;
    this.login = login;
    this.workerVersion = workerVersion;
  }

  /** Attests {@code digest}, the image the job published in its repository (its manifest read from there). */
  Attested run(JobSpec spec, StepControl control, Workspace ws, Revision revision, String digest,
      Instant startedOn) throws JobFailure {
    return attest(spec, control, ws, revision, digest, startedOn,
        (auth, envelope) -> store.attach(auth, spec.request().ecrRepo(), digest, envelope,
            ProvenanceStatement.PREDICATE_TYPE));
  }

  /**
   * Where the manifest of an image attested early comes from: the builder hands it over once the version tag's rules
   * passed, or the job no longer attests that image (a failure says so).
   */
  interface Subject {
    AttestationStore.Manifest await() throws JobFailure;
  }

  /**
   * Attests {@code digest} while its tags may still be being written: the envelope's blobs are uploaded at once, the
   * attestation's manifest once {@code subject} hands over the image's manifest (read by the tagging; nothing here
   * reads it again).
   */
  Attested run(JobSpec spec, StepControl control, Workspace ws, Revision revision, String digest, Subject subject,
      Instant startedOn) throws JobFailure {
    String repository = spec.request().ecrRepo();
    return attest(spec, control, ws, revision, digest, startedOn, (auth, envelope) -> {
      AttestationStore.Upload upload = store.upload(auth, repository, envelope);
      return store.store(auth, repository, subject.await(), upload, ProvenanceStatement.PREDICATE_TYPE);
    });
  }

  /** How the envelope reaches the registry. */
  private interface Attach {
    AttestationStore.Attached attach(RegistryAuth auth, DsseEnvelope envelope) throws RegistryException, JobFailure;
  }

  private Attested attest(JobSpec spec, StepControl control, Workspace ws, Revision revision, String digest,
      Instant startedOn, Attach attach) throws JobFailure {
    BuildRequest req = spec.request();
    RegistryAuth auth = login.run(spec, control);
    byte[] statement = ProvenanceStatement.toJson(
        new ProvenanceStatement.Subject(auth.host() + "/" + req.ecrRepo(), digest),
        new ProvenanceStatement.Source(req.repoUrl(), revision.cloneUrl(), req.branch(), spec.commitOrEmpty(),
            revision.sha()),
        new ProvenanceStatement.Recipe(req.deploymentVersion(), spec.dockerfilePath(), spec.contextPath(),
            new ArrayList<>(spec.buildArgs().keySet()), req.target()),
        baseImages(spec, control, ws, auth),
        new ProvenanceStatement.Invocation(workerId, workerVersion, spec.workflowId(), spec.attempt(),
            spec.jobId(), startedOn, Instant.now()));
    DsseEnvelope envelope = signer.envelope(statement);
    try {
      AttestationStore.Attached a = attach.attach(auth, envelope);
      control.log("attested " + digest + ": " + (signer.signs() ? "signed" : "UNSIGNED (no signing key)")
          + " SLSA v1 provenance at " + a.reference() + " (" + a.manifestDigest() + ")"
          + (a.referrer() ? ", listed as an OCI referrer" : "; the registry has no referrers API"));
      return new Attested(a.reference(), a.manifestDigest(), signer.signs(), a.referrer());
    } catch (RegistryException.Denied e) {
      throw new RegistryFailure(ErrorKind.REGISTRY_AUTH_DENIED, "attaching the attestation: " + e.getMessage(), null);
    } catch (RegistryException e) {
      throw new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE, "attaching the attestation: " + e.getMessage(), null);
    }
  }

  private List<BaseImage> baseImages(JobSpec spec, StepControl control, Workspace ws, RegistryAuth auth)
      throws JobFailure {
    Path dockerfile = CheckoutPaths.resolveInside(ws.checkout(), "dockerfile", spec.dockerfilePath());
    String text;
    try {
      if (!Files.isRegularFile(dockerfile) || Files.size(dockerfile) > MAX_DOCKERFILE_BYTES) {
        control.log("provenance: the Dockerfile is not readable for its base images; none recorded");
        return List.of();
      }
      text = Files.readString(dockerfile);
    } catch (IOException e) {
      control.log("provenance: the Dockerfile is not readable for its base images; none recorded");
      return List.of();
    }
    List<BaseImage> out = new ArrayList<>();
    for (String reference : BaseImages.of(text, spec.buildArgs())) {
      Optional<String> digest = digestOf(BaseImages.parse(reference), auth);
      if (digest.isEmpty()) {
        control.log("provenance: base image " + reference + " has no known digest (not in the engine or registry)");
      }
      out.add(new BaseImage(reference, digest.orElse(null)));
    }
    return out;
  }

  private Optional<String> digestOf(BaseImages.ImageRef ref, RegistryAuth auth) {
    if (ref.digest() != null) {
      return Optional.of(ref.digest());
    }
    try {
      List<String> repoDigests = docker.inspectImageCmd(ref.reference()).exec().getRepoDigests();
      Optional<String> local = BaseImages.digestFromRepoDigests(ref, repoDigests == null ? List.of() : repoDigests);
      if (local.isPresent()) {
        return local;
      }
    } catch (RuntimeException e) {
      // not in the engine (another builder, or pruned): ask the registry
    }
    if (ref.registry() == null) {
      return Optional.empty();
    }
    RegistryAuth registry = ref.registry().equals(auth.host()) ? auth : RegistryAuth.of(ref.registry(), null, null);
    try {
      return probe.digest(registry, ref.repository(), ref.tag());
    } catch (JobFailure e) {
      return Optional.empty();
    }
  }
}
