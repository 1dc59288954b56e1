import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const CHANNELS = ['face_to_face', 'telephone', 'video'] as const;
export type Channel = (typeof CHANNELS)[number];

@Entity('appointment_types')
export class AppointmentType {
  @PrimaryColumn('uuid') id: string;
  @Column('text') code: string;
  @Column('text') name: string;
  @Column('integer', { name: 'duration_minutes' }) durationMinutes: number;
  @Column('integer') capacity: number;
  @Column('text') channel: Channel;
  @Column('integer', { name: 'buffer_minutes' }) bufferMinutes: number;
  @Column('text', { nullable: true }) description: string | null;
  @Column('text', { name: 'what_to_bring', nullable: true }) whatToBring: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
