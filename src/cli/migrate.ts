import { loadDefaults } from '../common/config/config';
import { migrate } from '../common/database/migrator';

const databaseUrl = process.env.DATABASE_URL || loadDefaults().DATABASE_URL;
migrate(databaseUrl, (line) => console.log(line))
  .then((applied) => console.log(applied.length ? `${applied.length} migration(s) applied` : 'database is up to date'))
  .catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
