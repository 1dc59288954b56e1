import { Column, CreateDateColumn, Entity, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';
import { AppointmentType } from './appointment-type.entity';

@Entity('advisers')
export class Adviser {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') email: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId: string;
  @ManyToMany(() => AppointmentType)
  @JoinTable({ name: 'adviser_appointment_types', joinColumn: { name: 'adviser_id' }, inverseJoinColumn: { name: 'appointment_type_id' } })
  appointmentTypes: AppointmentType[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
