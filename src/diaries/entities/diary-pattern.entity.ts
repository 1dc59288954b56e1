import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('diary_patterns')
export class DiaryPatternEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'adviser_id' }) adviserId: string;
  @Column('uuid', { name: 'site_id' }) siteId: string;
  @Column('uuid', { name: 'room_id', nullable: true }) roomId: string | null;
  @Column('smallint', { array: true }) weekdays: number[];
  @Column('time', { name: 'start_time' }) startTime: string;
  @Column('time', { name: 'end_time' }) endTime: string;
  @Column('date', { name: 'valid_from' }) validFrom: string;
  @Column('date', { name: 'valid_to', nullable: true }) validTo: string | null;
  @Column('text', { name: 'appointment_types', array: true }) appointmentTypes: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
