package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VisibilityQueryTest {

  @Test
  void build_allFilters_joinsClausesWithAnd() throws Exception {
    assertThat(VisibilityQuery.build("cancelled", "acme/app", "v1.0.3", "123456789012")).isEqualTo(
        "WorkflowType = 'DeployJob' AND ExecutionStatus = 'Canceled' AND BlacktreeRepo = 'acme/app' AND "
            + "BlacktreeVersion = 'v1.0.3' AND BlacktreeAccount = '123456789012'");
  }

  @Test
  void build_noFilters_onlyWorkflowType() throws Exception {
    assertThat(VisibilityQuery.build(null, null, null, null)).isEqualTo("WorkflowType = 'DeployJob'");
  }

  @Test
  void build_quoteInValue_rejectedAsBadInput() {
    assertThatThrownBy(() -> VisibilityQuery.build(null, "x' OR '1'='1", null, null))
        .isInstanceOf(CliException.class)
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(2));
  }
}
