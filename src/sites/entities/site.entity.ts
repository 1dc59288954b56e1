import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { OpeningHours } from '../../diaries/domain/availability';
import type { BankHolidayRegion } from '../domain/bank-holidays';

export const SITE_KINDS = ['jobcentre', 'college', 'library', 'community', 'probation', 'employer', 'other'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

@Entity('sites')
export class Site {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') kind: SiteKind;
  @Column('text') address: string;
  @Column('text') postcode: string;
  @Column('text') timezone: string;
  @Column('jsonb', { name: 'opening_hours', nullable: true }) openingHours: OpeningHours | null;
  @Column('integer', { name: 'min_notice_minutes' }) minNoticeMinutes: number;
  @Column('text', { name: 'bank_holidays' }) bankHolidays: BankHolidayRegion;
  @Column('text', { nullable: true }) area: string | null;
  @Column('double precision', { nullable: true }) latitude: number | null;
  @Column('double precision', { nullable: true }) longitude: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
