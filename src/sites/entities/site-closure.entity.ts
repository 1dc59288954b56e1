import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('site_closures')
export class SiteClosure {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'site_id' }) siteId: string;
  @Column('date') date: string;
  @Column('text') reason: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
