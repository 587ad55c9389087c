#!/bin/bash
# EMR bootstrap action: install Apache Drill on every node and start a drillbit once EMR's ZooKeeper is up.
# Args: <drill version> <archive bucket> <archive prefix> <views prefix> <region>
# Bootstrap actions run before EMR installs its applications, so the start waits in the background.
set -euo pipefail
DRILL_VERSION="$1"; BUCKET="$2"; PREFIX="$3"; VIEWS="$4"; REGION="$5"
DRILL_HOME=/opt/drill
INFO=/mnt/var/lib/info

sudo mkdir -p "$DRILL_HOME"
curl -fsSL "https://archive.apache.org/dist/drill/${DRILL_VERSION}/apache-drill-${DRILL_VERSION}.tar.gz" \
  | sudo tar -xz -C "$DRILL_HOME" --strip-components=1
sudo chown -R hadoop:hadoop "$DRILL_HOME"

PRIMARY=$(python3 -c "import json;print(json.load(open('$INFO/job-flow.json'))['masterPrivateDnsName'])")
IS_PRIMARY=$(python3 -c "import json;print(json.load(open('$INFO/instance.json'))['isMaster'])")
CLUSTER_ID=$(python3 -c "import json;print(json.load(open('$INFO/job-flow.json'))['jobFlowId'])")

cat > "$DRILL_HOME/conf/drill-override.conf" <<CONF
drill.exec: { cluster-id: "flux-${CLUSTER_ID}", zk.connect: "${PRIMARY}:2181", http.enabled: true }
CONF

# Storage plugins, loaded on the first start: the archive (read-only by the instance profile), the catalog's views,
# and the Hive metastore on the primary (backed by Glue).
cat > "$DRILL_HOME/conf/storage-plugins-override.conf" <<CONF
"storage": {
  s3: {
    type: "file", enabled: true, connection: "s3a://${BUCKET}/",
    config: {
      "fs.s3a.aws.credentials.provider": "com.amazonaws.auth.InstanceProfileCredentialsProvider",
      "fs.s3a.endpoint.region": "${REGION}",
      "fs.s3a.connection.maximum": "200"
    },
    workspaces: {
      archive: { location: "/${PREFIX}", writable: false, defaultInputFormat: "parquet" },
      views: { location: "/${VIEWS}", writable: true }
    },
    formats: { parquet: { type: "parquet" } }
  },
  hive: {
    type: "hive", enabled: true,
    configProps: { "hive.metastore.uris": "thrift://${PRIMARY}:9083", "hive.metastore.sasl.enabled": "false" }
  }
}
CONF

# Start once ZooKeeper accepts connections (the primary runs it, and EMR installs it after this action), detached
# from the bootstrap action. A plain TCP check: ZooKeeper 3.5+ answers no four-letter words by default.
nohup bash -c "
  until (exec 3<>/dev/tcp/${PRIMARY}/2181) 2>/dev/null; do sleep 10; done
  ${DRILL_HOME}/bin/drillbit.sh start
" >/tmp/drill-start.log 2>&1 &
echo "primary=${IS_PRIMARY}: Drill ${DRILL_VERSION} installed; drillbit starts when ZooKeeper is up"
