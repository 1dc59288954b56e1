import { ApiProperty } from '@nestjs/swagger';

export class CalibrationRowView {
  @ApiProperty({ example: 1, description: '1 = the tenth of bookings with the lowest predicted probability.' }) decile: number;
  @ApiProperty() n: number;
  @ApiProperty({ type: Number, nullable: true }) meanPredicted: number | null;
  @ApiProperty({ type: Number, nullable: true }) observedRate: number | null;
}

export class ModelEvaluationView {
  @ApiProperty({ description: 'Held-out appointments: the latest fifth of the history, judged by a model fitted on the rest.' }) n: number;
  @ApiProperty({ type: Number, nullable: true, example: 0.78 }) auc: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.15 }) brier: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The show rate of the held-out appointments.' }) baseRate: number | null;
  @ApiProperty({ type: [CalibrationRowView] }) calibration: CalibrationRowView[];
  @ApiProperty({ type: String, nullable: true, description: 'Where the held-out period starts.' }) heldOutFrom: string | null;
}

export class ShowModelView {
  @ApiProperty({ example: 3 }) version: number;
  @ApiProperty({ enum: ['logistic', 'base_rates'] }) kind: string;
  @ApiProperty() trainedAt: string;
  @ApiProperty({ description: 'Appointments with an outcome it was fitted to.' }) trainedOn: number;
  @ApiProperty({ description: 'True when there was too little history for a fitted model: smoothed base rates are used instead.' }) fallback: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Why the fallback was used.' }) note: string | null;
  @ApiProperty({ type: ModelEvaluationView }) evaluation: ModelEvaluationView;
  @ApiProperty() live: boolean;
}
