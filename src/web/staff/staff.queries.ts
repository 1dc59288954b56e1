import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The names the staff pages choose from: organisations, and advisers with theirs. */
@Injectable()
export class StaffQueries {
  constructor(private readonly dataSource: DataSource) {}

  organisations(): Promise<{ id: string; name: string }[]> {
    return this.dataSource.query('SELECT id, name FROM organisations ORDER BY name, id');
  }

  advisers(): Promise<{ id: string; name: string; organisationName: string }[]> {
    return this.dataSource.query('SELECT a.id, a.name, o.name AS "organisationName" FROM advisers a JOIN organisations o ON o.id = a.organisation_id ORDER BY o.name, a.name, a.id');
  }
}
