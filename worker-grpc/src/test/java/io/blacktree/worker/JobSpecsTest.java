package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.RequestValidator;
import io.blacktree.core.ValidationPolicy;
import io.blacktree.proto.worker.v1.JobRequest;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobSpecsTest {
  private final JobSpecs specs = new JobSpecs(new RequestValidator(new ValidationPolicy(
      URI.create("https://github.com/"), Set.of(), Set.of(), "eu-west-1")), Duration.ofMinutes(30));

  private static JobRequest.Builder valid() {
    return JobRequest.newBuilder().setRepoUrl("acme/app").setBranch("main").setDeploymentVersion("v1")
        .setAwsAccountId("123456789012").setEcrRepo("app").setJobId("deploy:x/run-1/3");
  }

  private JobSpec spec(JobRequest r) {
    JobSpecs.Converted c = specs.fromProto(r);
    assertThat(c).isInstanceOf(JobSpecs.Converted.Valid.class);
    return ((JobSpecs.Converted.Valid) c).spec();
  }

  @Test
  void fromProto_attemptField_isTheAttempt() {
    assertThat(spec(valid().setAttempt(5).build()).attempt()).isEqualTo(5);
  }

  @Test
  void fromProto_noAttemptField_readFromThePreviousJobIdForm() {
    assertThat(spec(valid().build()).attempt()).isEqualTo(3);
    assertThat(spec(valid().setJobId("plain-id").build()).attempt()).isZero();
    assertThat(spec(valid().setJobId("a/b/not-a-number").build()).attempt()).isZero();
  }

  @Test
  void fromProto_workflowId_fieldElseJobIdWithoutRunAndAttempt() {
    assertThat(spec(valid().build()).workflowId()).isEqualTo("deploy:x");
    assertThat(spec(valid().setWorkflowId("deploy:y").build()).workflowId()).isEqualTo("deploy:y");
    assertThat(spec(valid().setJobId("plain-id").build()).workflowId()).isEqualTo("plain-id");
  }

  @Test
  void fromProto_noRegion_theWorkersDefault_elseTheRequests() {
    assertThat(spec(valid().build()).request().region()).isEqualTo("eu-west-1");
    assertThat(spec(valid().setRegion("us-east-2").build()).request().region()).isEqualTo("us-east-2");
  }

  @Test
  void fromProto_timeLimit_atMostTheWorkers() {
    assertThat(spec(valid().build()).timeLimit()).isEqualTo(Duration.ofMinutes(30));
    assertThat(spec(valid().setTimeLimitSeconds(60).build()).timeLimit()).isEqualTo(Duration.ofSeconds(60));
    assertThat(spec(valid().setTimeLimitSeconds(7200).build()).timeLimit()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void fromProto_optionalFieldsAbsent_nullInTheRequestAndDefaultedInTheSpec() {
    JobSpec s = spec(valid().build());
    assertThat(s.request().commit()).isNull();
    assertThat(s.commitOrEmpty()).isEmpty();
    assertThat(s.dockerfilePath()).isEqualTo("Dockerfile");
    assertThat(s.contextPath()).isEqualTo(".");
    assertThat(s.buildArgs()).isEmpty();
    assertThat(s.extraTags()).isEmpty();
  }

  @Test
  void fromProto_badTarget_namesTargetAsTheProtoDoes() {
    JobSpecs.Converted c = specs.fromProto(valid().setTarget("-o /etc").build());

    assertThat(((JobSpecs.Converted.Invalid) c).violations())
        .containsExactly("target: must be a Dockerfile stage name: [A-Za-z][A-Za-z0-9_.-]{0,127}");
  }

  @Test
  void fromProto_targetSetOrNot_carriedOrNull() {
    assertThat(spec(valid().setTarget("runtime").build()).request().target()).isEqualTo("runtime");
    assertThat(spec(valid().setTarget("runtime").build()).targetOrEmpty()).isEqualTo("runtime");
    assertThat(spec(valid().build()).request().target()).isNull();
    assertThat(spec(valid().build()).targetOrEmpty()).isEmpty();
  }

  @Test
  void fromProto_badFields_everyOneNamedAsTheProtoNamesIt() {
    JobSpecs.Converted c = specs.fromProto(valid().setJobId("").setAwsAccountId("12").setTimeLimitSeconds(-1)
        .setAttempt(-2).build());

    assertThat(c).isInstanceOf(JobSpecs.Converted.Invalid.class);
    assertThat(((JobSpecs.Converted.Invalid) c).violations()).containsExactlyInAnyOrder(
        "job_id: is required", "time_limit_seconds: must not be negative", "attempt: must not be negative",
        "aws_account_id: must be 12 digits");
  }
}
