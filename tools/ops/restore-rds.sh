# shellcheck shell=bash disable=SC2317,SC2034 # sourced by restore.sh, which runs its functions and reads OPS_RDS_HINT
# RDS restore of an app (aquamark), in one command, ending with the app on the restored data under the SAME
# identifier and so the same endpoint: an RDS endpoint is `<identifier>.<account/region hash>.<region>.rds...`,
# and "when you rename a DB instance, the endpoint for the DB instance changes, because the URL includes the
# name you assigned to the DB instance" (AWS RDS User Guide, USER_RenameInstance, "Renaming to replace an
# existing DB instance"). So DATABASE_URL stays valid.
#
#   0. (ops_rds_check, before restore.sh stops the writers) refuse a snapshot of another engine or major version;
#   1. read the live instance's settings now (describe-db-instances), so the restored one matches it;
#   2. (writers already stopped by restore.sh) restore the snapshot into <id>-restored-<stamp> with them;
#   3. wait until it is available, then apply what a restore cannot set (maintenance window, storage
#      autoscaling, monitoring, Performance Insights) with modify-db-instance, and wait again;
#   4. rename the live instance to <id>-before-restore-<stamp>, deletion protection on: kept for rollback;
#   5. rename the restored instance to <id>; stop the kept instance;
#   6. point the Pulumi state's aws:rds/instance:Instance at the restored instance (see ops_rds_pulumi_state).
# Each step sets OPS_RDS_HINT: what to run to recover if the command stops there (printed on failure).
#
# AWS CLI reference checked against botocore's service model (botocore/data/rds/2014-10-31/service-2.json,
# the aws CLI maps each member to a flag / a --cli-input-json key): RestoreDBInstanceFromDBSnapshot members
# DBInstanceIdentifier, DBSnapshotIdentifier, DBInstanceClass, DBSubnetGroupName, VpcSecurityGroupIds,
# DBParameterGroupName, OptionGroupName, Port, MultiAZ, PubliclyAccessible, StorageType, AllocatedStorage,
# Iops, StorageThroughput, DeletionProtection, CopyTagsToSnapshot, AutoMinorVersionUpgrade,
# BackupRetentionPeriod, PreferredBackupWindow, EnableIAMDatabaseAuthentication, EnableCloudwatchLogsExports,
# CACertificateIdentifier, NetworkType, DedicatedLogVolume, Tags; ModifyDBInstance members
# NewDBInstanceIdentifier, ApplyImmediately, DeletionProtection, MaxAllocatedStorage,
# PreferredMaintenanceWindow, MonitoringInterval, MonitoringRoleArn, EnablePerformanceInsights,
# PerformanceInsightsRetentionPeriod, PerformanceInsightsKMSKeyId; DeleteDBInstance DeleteAutomatedBackups
# (`--no-delete-automated-backups`); StopDBInstance / StartDBInstance DBInstanceIdentifier; DBInstance
# DBInstanceStatus, PendingModifiedValues, EngineVersion; DBSnapshot EngineVersion.
#
# Waiting: not with `aws rds wait db-instance-available`. Its waiter (DBInstanceAvailable in
# botocore/data/rds/2014-10-31/waiters-2.json) gives up after 60 checks 30 s apart, shorter than a large or
# Multi-AZ restore may take, and succeeds on the first `available`, which a modify-db-instance
# --apply-immediately may still read before it turns `modifying`. ops_rds_wait_ready polls instead.

OPS_RDS_HINT=""

# ops_rds_identifier_ok <identifier>: RDS instance identifier rules (1-63 letters, digits, hyphens; a letter
# first; no "--"; no trailing hyphen: RDS API CreateDBInstance, DBInstanceIdentifier constraints).
ops_rds_identifier_ok() {
  [[ $1 =~ ^[A-Za-z][A-Za-z0-9-]{0,62}$ ]] && [[ $1 != *--* ]] && [[ $1 != *- ]]
}

# ops_rds_wait_ready <region> <identifier>: polls describe-db-instances until the instance reads `available`
# with no PendingModifiedValues ("returned only when there are pending changes": botocore service-2.json,
# DBInstance), every $OPS_RDS_POLL_SECONDS (30) s, at most $OPS_RDS_WAIT_ATTEMPTS (480: 4 hours) times. An
# instance not found is polled on: a renamed instance answers to its new identifier only once the new DNS name
# is in effect ("in about 10 minutes", USER_RenameInstance). Fails at once on the states the AWS waiter fails
# on (deleted, deleting, failed, incompatible-restore, incompatible-parameters: waiters-2.json) and the other
# incompatible-* states, which need an operator ("Viewing DB instance status", RDS User Guide).
ops_rds_wait_ready() {
  local region=$1 id=$2 i out state="not found yet" err
  local attempts=${OPS_RDS_WAIT_ATTEMPTS:-480} delay=${OPS_RDS_POLL_SECONDS:-30}
  err=$(mktemp)
  for ((i = 0; i < attempts; i++)); do
    ((i == 0)) || sleep "$delay"
    if ! out=$(aws rds describe-db-instances --region "$region" --db-instance-identifier "$id" --output json 2>"$err"); then
      # Not found yet (DBInstanceNotFound, RDS API DescribeDBInstances errors): polled on; anything else
      # (credentials, network) ends the wait now rather than after hours.
      grep -q DBInstanceNotFound "$err" && continue
      cat "$err" >&2
      rm -f "$err"
      return 1
    fi
    # shellcheck disable=SC2016 # JavaScript
    state=$(OUT=$out node -e '
      const d = JSON.parse(process.env.OUT).DBInstances[0];
      const pending = Object.entries(d.PendingModifiedValues ?? {}).filter(([, v]) => v !== null && !(typeof v === "object" && Object.keys(v).length === 0));
      console.log(d.DBInstanceStatus + (pending.length ? ` (pending: ${pending.map(([k]) => k).join(", ")})` : ""));
    ') || return 1
    case "$state" in
      available) rm -f "$err"; return 0 ;;
      deleted | deleting | failed | incompatible-*) rm -f "$err"; echo "$id is $state: it will not become available by itself" >&2; return 1 ;;
    esac
  done
  rm -f "$err"
  echo "$id is not available with no pending changes after $attempts checks ${delay} s apart (last: $state); it may still be restoring or modifying: see aws rds describe-db-instances --region $region --db-instance-identifier $id --query 'DBInstances[0].DBInstanceStatus'" >&2
  return 1
}

# ops_rds_major <engine> <version>: the major version, as parameter group families count it (postgres16;
# postgres9.6, mysql8.0, mariadb10.11: RDS User Guide, "Working with parameter groups", DB parameter group
# family). PostgreSQL from 10 on: the first number; otherwise the first two.
ops_rds_major() {
  local engine=$1 version=$2
  if [[ $engine == postgres* ]] && [[ ${version%%.*} =~ ^[0-9]+$ ]] && ((${version%%.*} >= 10)); then
    echo "${version%%.*}"
  else
    echo "$version" | cut -d. -f1-2
  fi
}

# ops_rds_check <snapshot>: refuses, before anything stops, a restore that cannot work: the live instance or
# the snapshot not available, another engine, or another major version (the restored instance gets the live
# instance's parameter group, whose family is that of the live major version).
ops_rds_check() {
  local snapshot=$1 region id live snap versions engine live_version snap_version
  region=$(ops_get region) || exit 1
  id=$(ops_get database.identifier) || exit 1
  live=$(aws rds describe-db-instances --region "$region" --db-instance-identifier "$id" --output json) || ops_die "cannot read the live instance $id"
  snap=$(aws rds describe-db-snapshots --region "$region" --db-snapshot-identifier "$snapshot" --output json) || ops_die "no snapshot '$snapshot' (ops:restore ... --list)"
  # shellcheck disable=SC2016 # JavaScript
  versions=$(LIVE=$live SNAP=$snap node -e '
    const d = JSON.parse(process.env.LIVE).DBInstances[0], s = JSON.parse(process.env.SNAP).DBSnapshots[0];
    if (d.DBInstanceStatus !== "available") { console.error(`the live instance is ${d.DBInstanceStatus}, not available: try again later`); process.exit(1); }
    if (s.Status !== "available") { console.error(`the snapshot is ${s.Status}, not available`); process.exit(1); }
    if (s.Engine !== d.Engine) { console.error(`the snapshot is of ${s.Engine}, the live instance runs ${d.Engine}`); process.exit(1); }
    console.log(`${d.Engine} ${d.EngineVersion} ${s.EngineVersion}`);
  ') || exit 1
  read -r engine live_version snap_version <<<"$versions"
  if [ "$(ops_rds_major "$engine" "$snap_version")" != "$(ops_rds_major "$engine" "$live_version")" ]; then
    ops_die "the snapshot '$snapshot' is of $engine $snap_version (major version $(ops_rds_major "$engine" "$snap_version")), the live instance $id runs $live_version: a restore keeps the snapshot's major version, and the live parameter group's family would not fit it. Restore it by hand into an instance of its own version, or upgrade a copy first"
  fi
}

# ops_rds_restore_input <live describe JSON> <snapshot describe JSON> <temporary id> <snapshot id>: the
# --cli-input-json of restore-db-instance-from-db-snapshot, every setting taken from the live instance.
# ops_rds_modify_input: the same for the settings a restore cannot set (modify-db-instance).
ops_rds_inputs() {
  # shellcheck disable=SC2016 # the single-quoted text is JavaScript, not shell
  LIVE=$1 SNAPSHOT=$2 TEMPORARY=$3 SNAPSHOT_ID=$4 WHICH=$5 node -e '
    const d = JSON.parse(process.env.LIVE).DBInstances[0];
    const s = JSON.parse(process.env.SNAPSHOT).DBSnapshots[0];
    const defined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)));
    const storage = Math.max(d.AllocatedStorage ?? 0, s.AllocatedStorage ?? 0);
    // Provisioned IOPS / throughput: io1/io2 always; gp3 only from 400 GiB on for PostgreSQL (below that
    // the baseline is fixed and the API refuses the fields: RDS User Guide, "gp3 storage").
    const provisioned = /^io/.test(d.StorageType) || (d.StorageType === "gp3" && storage >= 400);
    const out = process.env.WHICH === "restore"
      ? defined({
          DBInstanceIdentifier: process.env.TEMPORARY,
          DBSnapshotIdentifier: process.env.SNAPSHOT_ID,
          DBInstanceClass: d.DBInstanceClass,
          DBSubnetGroupName: d.DBSubnetGroup?.DBSubnetGroupName,
          VpcSecurityGroupIds: (d.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId),
          DBParameterGroupName: d.DBParameterGroups?.[0]?.DBParameterGroupName,
          OptionGroupName: d.OptionGroupMemberships?.[0]?.OptionGroupName,
          Port: d.Endpoint?.Port ?? d.DbInstancePort,
          MultiAZ: d.MultiAZ,
          PubliclyAccessible: d.PubliclyAccessible,
          StorageType: d.StorageType,
          AllocatedStorage: storage || undefined,
          Iops: provisioned ? d.Iops : undefined,
          StorageThroughput: provisioned && d.StorageType === "gp3" ? d.StorageThroughput : undefined,
          DeletionProtection: d.DeletionProtection,
          CopyTagsToSnapshot: d.CopyTagsToSnapshot,
          AutoMinorVersionUpgrade: d.AutoMinorVersionUpgrade,
          BackupRetentionPeriod: d.BackupRetentionPeriod,
          PreferredBackupWindow: d.PreferredBackupWindow,
          EnableIAMDatabaseAuthentication: d.IAMDatabaseAuthenticationEnabled,
          EnableCloudwatchLogsExports: d.EnabledCloudwatchLogsExports,
          CACertificateIdentifier: d.CACertificateIdentifier,
          NetworkType: d.NetworkType,
          DedicatedLogVolume: d.DedicatedLogVolume,
          Tags: d.TagList,
        })
      : defined({
          DBInstanceIdentifier: process.env.TEMPORARY,
          ApplyImmediately: true,
          PreferredMaintenanceWindow: d.PreferredMaintenanceWindow,
          MaxAllocatedStorage: d.MaxAllocatedStorage,
          MonitoringInterval: d.MonitoringInterval,
          MonitoringRoleArn: d.MonitoringInterval ? d.MonitoringRoleArn : undefined,
          EnablePerformanceInsights: d.PerformanceInsightsEnabled,
          PerformanceInsightsRetentionPeriod: d.PerformanceInsightsEnabled ? d.PerformanceInsightsRetentionPeriod : undefined,
          PerformanceInsightsKMSKeyId: d.PerformanceInsightsEnabled ? d.PerformanceInsightsKMSKeyId : undefined,
        });
    process.stdout.write(JSON.stringify(out, null, 2));
  '
}

# ops_rds_pulumi_state <stack> <identifier> <new DbiResourceId>: the program's aws:rds/instance:Instance
# is tracked by the instance's DbiResourceId, not its identifier (terraform-provider-aws
# internal/service/rds/instance.go: "ID ... is the same as AWS calls the dbi-resource-id ...
# unchangeable/immutable"; reads filter on dbi-resource-id). After the swap, that ID still names the kept
# instance, so a refresh would follow it; this sets the state's ID to the restored instance's (pulumi stack
# export / edit / pulumi stack import, the documented way to correct state after manual changes:
# pulumi.com/docs/iac/cli/commands/pulumi_stack_import). The exported state is kept beside for undo.
ops_rds_pulumi_state() {
  local stack=$1 id=$2 resource_id=$3 dir
  dir=$(mktemp -d)
  pulumi stack export --stack "$stack" --file "$dir/before.json" || return 1
  # shellcheck disable=SC2016 # JavaScript
  ID=$id RESOURCE_ID=$resource_id BEFORE="$dir/before.json" AFTER="$dir/after.json" node -e '
    const fs = require("fs");
    const state = JSON.parse(fs.readFileSync(process.env.BEFORE, "utf8"));
    const mine = (state.deployment.resources ?? []).filter((r) => r.type === "aws:rds/instance:Instance" && !r.delete && r.outputs?.identifier === process.env.ID);
    if (mine.length !== 1) { console.error(`the state has ${mine.length} aws:rds/instance:Instance with identifier ${process.env.ID}; expected 1`); process.exit(1); }
    const r = mine[0];
    r.id = process.env.RESOURCE_ID;
    if (r.outputs) { r.outputs.resourceId = process.env.RESOURCE_ID; if ("id" in r.outputs) r.outputs.id = process.env.RESOURCE_ID; }
    fs.writeFileSync(process.env.AFTER, JSON.stringify(state, null, 2));
    console.log(r.urn);
  ' >"$dir/urn" || return 1
  pulumi stack import --stack "$stack" --file "$dir/after.json" || return 1
  OPS_RDS_URN=$(cat "$dir/urn")
  OPS_RDS_STATE_BACKUP="$dir/before.json"
}

# ops_rds_restore <snapshot>: the whole swap (writers are stopped by the caller and started by its trap;
# ops_rds_check ran before they stopped).
ops_rds_restore() {
  local snapshot=$1 region id stamp temporary before live snap restore_input modify_input resource_id kept_state
  region=$(ops_get region) || exit 1
  id=$(ops_get database.identifier) || exit 1
  stamp=$(ops_utc_stamp | tr 'TZ' 'tz')
  temporary="$id-restored-$stamp"
  before="$id-before-restore-$stamp"
  ops_rds_identifier_ok "$id" || ops_die "the ops output's identifier '$id' is not an RDS identifier"
  ops_rds_identifier_ok "$before" || ops_die "$before would exceed RDS's 63 characters"
  live=$(aws rds describe-db-instances --region "$region" --db-instance-identifier "$id" --output json) || ops_die "cannot read the live instance $id"
  snap=$(aws rds describe-db-snapshots --region "$region" --db-snapshot-identifier "$snapshot" --output json) || ops_die "no snapshot '$snapshot' (ops:restore ... --list)"
  restore_input=$(mktemp)
  modify_input=$(mktemp)
  ops_rds_inputs "$live" "$snap" "$temporary" "$snapshot" restore >"$restore_input"
  ops_rds_inputs "$live" "$snap" "$temporary" "$snapshot" modify >"$modify_input"

  OPS_RDS_HINT="nothing changed: the live instance $id still serves. If $temporary exists, it may still be restoring:
  aws rds describe-db-instances --region $region --db-instance-identifier $temporary --query 'DBInstances[0].DBInstanceStatus'
once it reads available (or failed), remove it:
  aws rds modify-db-instance --region $region --db-instance-identifier $temporary --no-deletion-protection --apply-immediately
  aws rds delete-db-instance --region $region --db-instance-identifier $temporary --skip-final-snapshot"
  aws rds restore-db-instance-from-db-snapshot --region "$region" --cli-input-json "file://$restore_input" --query DBInstance.DBInstanceStatus --output text >&2
  ops_rds_wait_ready "$region" "$temporary"
  aws rds modify-db-instance --region "$region" --cli-input-json "file://$modify_input" --query DBInstance.DBInstanceStatus --output text >&2
  ops_rds_wait_ready "$region" "$temporary"
  rm -f "$restore_input" "$modify_input"

  OPS_RDS_HINT="the live instance may be renaming to $before. When it is available under either name, put it back:
  aws rds modify-db-instance --region $region --db-instance-identifier $before --new-db-instance-identifier $id --apply-immediately
and remove the restored copy:
  aws rds modify-db-instance --region $region --db-instance-identifier $temporary --no-deletion-protection --apply-immediately
  aws rds delete-db-instance --region $region --db-instance-identifier $temporary --skip-final-snapshot"
  aws rds modify-db-instance --region "$region" --db-instance-identifier "$id" --new-db-instance-identifier "$before" --deletion-protection --apply-immediately --query DBInstance.DBInstanceStatus --output text >&2
  ops_rds_wait_ready "$region" "$before"

  OPS_RDS_HINT="no instance may answer to $id now. Either finish the swap:
  aws rds modify-db-instance --region $region --db-instance-identifier $temporary --new-db-instance-identifier $id --apply-immediately
or roll back (the old data, renamed $before):
  aws rds modify-db-instance --region $region --db-instance-identifier $before --new-db-instance-identifier $id --apply-immediately
then wait until aws rds describe-db-instances --region $region --db-instance-identifier $id reads available"
  if ! aws rds modify-db-instance --region "$region" --db-instance-identifier "$temporary" --new-db-instance-identifier "$id" --apply-immediately --query DBInstance.DBInstanceStatus --output text >&2; then
    echo "renaming $temporary to $id failed; renaming $before back to $id" >&2
    aws rds modify-db-instance --region "$region" --db-instance-identifier "$before" --new-db-instance-identifier "$id" --apply-immediately --query DBInstance.DBInstanceStatus --output text >&2 \
      && ops_rds_wait_ready "$region" "$id" && OPS_RDS_HINT="rolled back: $id holds the data it held; $temporary (the restored copy) can be deleted:
  aws rds modify-db-instance --region $region --db-instance-identifier $temporary --no-deletion-protection --apply-immediately
  aws rds delete-db-instance --region $region --db-instance-identifier $temporary --skip-final-snapshot"
    return 1
  fi
  ops_rds_wait_ready "$region" "$id"

  # The kept instance is stopped, so that no client still resolving the old endpoint's DNS name writes to it.
  # RDS starts a stopped instance again by itself after 7 days (StopDBInstance, botocore service-2.json: "The
  # instance restarts automatically after 7 days"). A failure here leaves the restore done: a warning only.
  kept_state="kept, running (it could not be stopped: aws rds stop-db-instance --region $region --db-instance-identifier $before)"
  if aws rds stop-db-instance --region "$region" --db-instance-identifier "$before" --query DBInstance.DBInstanceStatus --output text >&2; then
    kept_state="kept, stopped (RDS starts a stopped instance again by itself after 7 days: stop it again, or discard it, by then)"
  else
    echo "warning: could not stop $before; clients with a stale DNS answer could still write to it" >&2
  fi

  OPS_RDS_HINT="$id now holds the restored data and $before the old data; the Pulumi state could not be pointed at the restored instance. Do it by hand: pulumi stack export --stack $OPS_STACK --file s.json, set the \"id\" of the aws:rds/instance:Instance whose identifier is $id to the DbiResourceId of:
  aws rds describe-db-instances --region $region --db-instance-identifier $id --query 'DBInstances[0].DbiResourceId' --output text
then pulumi stack import --stack $OPS_STACK --file s.json, pulumi refresh --stack $OPS_STACK and pulumi up --stack $OPS_STACK"
  resource_id=$(aws rds describe-db-instances --region "$region" --db-instance-identifier "$id" --query 'DBInstances[0].DbiResourceId' --output text)
  [[ $resource_id =~ ^db-[A-Za-z0-9]+$ ]] || { echo "unexpected DbiResourceId '$resource_id'" >&2; return 1; }
  ops_rds_pulumi_state "$OPS_STACK" "$id" "$resource_id"
  OPS_RDS_HINT=""
  cat <<EOF
restored $OPS_APP from $snapshot: $id (same endpoint) now holds the restored data.
The old instance is $kept_state, deletion protection on, as $before.
The Pulumi state now tracks the restored instance ($resource_id); the state before is saved in $OPS_RDS_STATE_BACKUP.
Next:
  pulumi refresh --stack $OPS_STACK --target '$OPS_RDS_URN'    # review: only read-only attributes should change
  pulumi up --stack $OPS_STACK    # the new resource ID re-runs the app role setup (a snapshot from before the role lacks it)
  npm run ops:restore -- $OPS_STACK $OPS_APP --discard-before $before   # when satisfied (takes a final snapshot)
Roll back (writers stopped first), one step at a time, each once the instance reads available again:
  aws rds start-db-instance --region $region --db-instance-identifier $before
  aws rds modify-db-instance --region $region --db-instance-identifier $id --new-db-instance-identifier $temporary --apply-immediately
  aws rds modify-db-instance --region $region --db-instance-identifier $before --new-db-instance-identifier $id --apply-immediately
  pulumi stack import --stack $OPS_STACK --file $OPS_RDS_STATE_BACKUP
EOF
}

# ops_rds_discard <kept identifier>: deletes an instance a restore kept, with a final snapshot. Refuses any
# identifier that is not `<the app's identifier>-before-restore-<stamp>`, so it can never delete the live one.
ops_rds_discard() {
  local kept=$1 region id
  region=$(ops_get region) || exit 1
  id=$(ops_get database.identifier) || exit 1
  [[ $kept =~ ^"$id"-before-restore-[0-9]{8}t[0-9]{6}z$ ]] || { echo "'$kept' is not an instance a restore kept ($id-before-restore-<stamp>)" >&2; exit 64; }
  ops_confirm "Delete the kept instance $kept of $OPS_APP (stack $OPS_STACK), with a final snapshot $kept-final? Its automated backups are kept for their retention period."
  # A stopped instance (as a restore leaves it) is started first: RDS modifies only running instances
  # (assumption, docs/operations.md); starting "can take from minutes to hours" (USER_StopInstance), polled.
  if [ "$(aws rds describe-db-instances --region "$region" --db-instance-identifier "$kept" --query 'DBInstances[0].DBInstanceStatus' --output text)" = stopped ]; then
    aws rds start-db-instance --region "$region" --db-instance-identifier "$kept" --query DBInstance.DBInstanceStatus --output text >&2
    ops_rds_wait_ready "$region" "$kept"
  fi
  aws rds modify-db-instance --region "$region" --db-instance-identifier "$kept" --no-deletion-protection --apply-immediately --query DBInstance.DBInstanceStatus --output text >&2
  ops_rds_wait_ready "$region" "$kept"
  # DeleteDBInstance: "all automated backups for that instance are deleted and can't be recovered" unless
  # DeleteAutomatedBackups is false (botocore service-2.json; the CLI's --no-delete-automated-backups); kept,
  # they expire after their retention period.
  aws rds delete-db-instance --region "$region" --db-instance-identifier "$kept" --final-db-snapshot-identifier "$kept-final" --no-delete-automated-backups --query DBInstance.DBInstanceStatus --output text >&2
  aws rds wait db-instance-deleted --region "$region" --db-instance-identifier "$kept"
  echo "deleted $kept; its final snapshot is $kept-final; its automated backups are kept for their retention period (aws rds describe-db-instance-automated-backups --region $region --db-instance-identifier $kept)"
}
