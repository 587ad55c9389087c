import java.sql.*;
import java.util.Properties;

/**
 * pgJDBC (the driver of DBeaver, DataGrip and Metabase) against the gateway's PostgreSQL endpoint, for
 * pgwire-clients.spec.ts: JDBC metadata as the tools browse it, a prepared statement past prepareThreshold (binary
 * results), a fetch-size cursor. Prints one "step<TAB>value" line per check.
 * Usage: java -cp postgresql.jar PgJdbcSmoke.java HOST PORT TOKEN STREAM
 */
public class PgJdbcSmoke {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", "flux");
    props.setProperty("password", args[2]);
    String stream = args[3];
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + args[0] + ":" + args[1] + "/flux", props)) {
      DatabaseMetaData meta = c.getMetaData();
      System.out.println("product\t" + meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion());
      StringBuilder tables = new StringBuilder();
      try (ResultSet rs = meta.getTables(null, "public", "%", new String[] {"TABLE"})) {
        while (rs.next()) tables.append(rs.getString("TABLE_NAME")).append(',');
      }
      System.out.println("tables\t" + tables);
      StringBuilder cols = new StringBuilder();
      try (ResultSet rs = meta.getColumns(null, "public", stream, "%")) {
        while (rs.next()) cols.append(rs.getString("COLUMN_NAME")).append(':').append(rs.getString("TYPE_NAME")).append(',');
      }
      System.out.println("columns\t" + cols);
      try (ResultSet rs = meta.getSchemas()) {
        StringBuilder schemas = new StringBuilder();
        while (rs.next()) schemas.append(rs.getString(1)).append(',');
        System.out.println("schemas\t" + schemas);
      }
      // past prepareThreshold (5) pgJDBC switches to a named statement with binary results
      try (PreparedStatement ps = c.prepareStatement("SELECT partition_key, sub_sequence_number, arrival_time, data, payload FROM \"" + stream + "\" WHERE partition_key = ?")) {
        for (int i = 0; i < 7; i++) {
          ps.setString(1, "customer-" + i);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            System.out.println("row" + i + "\t" + rs.getString(1) + "|" + rs.getLong(2) + "|" + (rs.getTimestamp(3) != null) + "|" + new String(rs.getBytes(4), "UTF-8") + "|" + rs.getString(5));
          }
        }
      }
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.setFetchSize(1000);
        long n = 0;
        long sum = 0;
        try (ResultSet rs = st.executeQuery("SELECT i FROM range(100000) t(i)")) {
          while (rs.next()) {
            n++;
            sum += rs.getLong(1);
          }
        }
        System.out.println("cursor\t" + n + "|" + sum);
      }
      c.commit();
      try (Statement st = c.createStatement()) {
        st.executeQuery("SELECT * FROM read_text('/etc/passwd')");
        System.out.println("hostile\tno error");
      } catch (SQLException e) {
        System.out.println("hostile\t" + e.getSQLState());
      }
      c.rollback();
    }
  }
}
